// Who is signed in (GET /session) and what their role lets them do; the CSRF token goes to the API client.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";

import { ApiError, del, get, post, setCsrfToken } from "./api/client";
import type { Role, SessionPublic } from "./api/types";

const RANK: Record<Role, number> = { viewer: 0, analyst: 1, manager: 2, admin: 3 };

interface Session {
  me: SessionPublic | null;
  checked: boolean; // GET /session has answered
  signIn: (key: string) => Promise<void>;
  signOut: () => Promise<void>;
  /** The key's role is at least `role` (what api/policy.py asks of the operation). */
  can: (role: Role) => boolean;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<SessionPublic | null>(null);
  const [checked, setChecked] = useState(false);

  const adopt = useCallback((session: SessionPublic | null) => {
    setCsrfToken(session?.csrf_token);
    setMe(session);
  }, []);

  useEffect(() => {
    get<SessionPublic>("/session")
      .then(adopt)
      .catch((err: unknown) => {
        if (!(err instanceof ApiError && err.status === 401)) console.warn(err);
        adopt(null);
      })
      .finally(() => setChecked(true));
  }, [adopt]);

  const signIn = useCallback(
    async (key: string) => adopt(await post<SessionPublic>("/session", { key })),
    [adopt],
  );
  const signOut = useCallback(async () => {
    try {
      await del("/session");
    } finally {
      adopt(null);
    }
  }, [adopt]);
  const can = useCallback((role: Role) => (me ? RANK[me.role] >= RANK[role] : false), [me]);

  const value = useMemo(() => ({ me, checked, signIn, signOut, can }), [me, checked, signIn, signOut, can]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const found = useContext(SessionContext);
  if (!found) throw new Error("useSession outside SessionProvider");
  return found;
}
