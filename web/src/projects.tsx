// The projects this key may see, shared by the header's switcher and the projects page.
import { createContext, useContext, type ReactNode } from "react";

import { get } from "./api/client";
import type { ProjectList, ProjectPublic } from "./api/types";
import { useLoad } from "./hooks/useLoad";

const LAST = "ra.project";

interface Projects {
  items: ProjectPublic[];
  loading: boolean;
  error: unknown;
  reload: () => void;
}

const ProjectsContext = createContext<Projects | null>(null);

export function ProjectsProvider({ children }: { children: ReactNode }) {
  const { data, loading, error, reload } = useLoad((signal) => get<ProjectList>("/projects", undefined, signal), []);
  return (
    <ProjectsContext.Provider value={{ items: data?.items ?? [], loading, error, reload }}>
      {children}
    </ProjectsContext.Provider>
  );
}

export function useProjects(): Projects {
  const found = useContext(ProjectsContext);
  if (!found) throw new Error("useProjects outside ProjectsProvider");
  return found;
}

export const rememberProject = (id: string): void => localStorage.setItem(LAST, id);

/** Where to land after sign-in: the project used last, else the first one the key covers. */
export function landingProject(items: ProjectPublic[]): ProjectPublic | undefined {
  const last = localStorage.getItem(LAST);
  return items.find((p) => p.id === last) ?? items[0];
}
