'use client'

import { createContext, type ReactNode, useContext, useEffect, useState } from 'react'

/** What the page on screen is about, passed to an agent asked from it (`context` of the request). */
export interface PageContext {
  label: string
  context: Record<string, unknown>
  /** The agent a request from this page most likely wants. */
  agent?: 'project_management' | 'resourcing' | 'quotes' | 'orchestrator'
}

const Context = createContext<{
  page: PageContext | undefined
  setPage: (p: PageContext | undefined) => void
}>({
  page: undefined,
  setPage: () => {},
})

export function AgentContextProvider({ children }: { children: ReactNode }) {
  const [page, setPage] = useState<PageContext | undefined>(undefined)
  return <Context.Provider value={{ page, setPage }}>{children}</Context.Provider>
}

/** Pages call this to say what they show; it is cleared when they unmount. */
export function usePageAgentContext(page: PageContext | undefined): void {
  const { setPage } = useContext(Context)
  const key = JSON.stringify(page ?? null)
  // biome-ignore lint/correctness/useExhaustiveDependencies: the serialised context is the dependency
  useEffect(() => {
    setPage(page)
    return () => setPage(undefined)
  }, [key, setPage])
}

export function useCurrentPageContext(): PageContext | undefined {
  return useContext(Context).page
}
