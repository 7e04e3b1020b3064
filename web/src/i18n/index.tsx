// Chinese and English, switchable, following the browser until the user picks one (kept in localStorage).
import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from "react";

import en, { type MessageKey } from "./en";
import zh from "./zh";

export type Lang = "zh" | "en";
const CATALOGUES = { en, zh } as const;
const STORED = "ra.lang";

export function browserLang(): Lang {
  const stored = localStorage.getItem(STORED);
  if (stored === "zh" || stored === "en") return stored;
  const wanted = navigator.languages?.length ? navigator.languages : [navigator.language];
  return wanted.some((l) => l.toLowerCase().startsWith("zh")) ? "zh" : "en";
}

export type Translate = (key: MessageKey, vars?: Record<string, string | number>) => string;

interface I18n {
  lang: Lang;
  setLang: (lang: Lang) => void;
  t: Translate;
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(browserLang);
  const setLang = useCallback((next: Lang) => {
    localStorage.setItem(STORED, next);
    setLangState(next);
  }, []);
  const t = useCallback<Translate>(
    (key, vars) => {
      const text = CATALOGUES[lang][key] ?? key;
      return vars ? text.replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? `{${name}}`)) : text;
    },
    [lang],
  );
  const value = useMemo(() => ({ lang, setLang, t }), [lang, setLang, t]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const found = useContext(I18nContext);
  if (!found) throw new Error("useI18n outside I18nProvider");
  return found;
}

/** A label for a value of an enumeration (status, band, category ...), the value itself when not catalogued. */
export function useLabel(): (prefix: string, value: string | null | undefined) => string {
  const { lang } = useI18n();
  return useCallback(
    (prefix, value) => {
      if (value === null || value === undefined || value === "") return "—";
      const key = `${prefix}.${value}` as MessageKey;
      return CATALOGUES[lang][key] ?? value;
    },
    [lang],
  );
}
