import { queryOptions } from '@tanstack/react-query'
import type {
  CapacityHeatmap,
  Dashboard,
  Me,
  ProjectDetail,
  ProjectListItem,
  Proposal,
  ProposalDiff,
  Quote,
  QuoteDetail,
  Resource,
  ResourceDetail,
  Session,
} from './api/types'

/** How a query reaches the API: the gateway directly on the server, this site's /api in the browser. */
export type Get = <T>(path: string) => Promise<T>

const qs = (params: Record<string, string | number | undefined>) => {
  const entries = Object.entries(params).filter(
    (e): e is [string, string | number] => e[1] !== undefined && e[1] !== '',
  )
  return entries.length ? `?${new URLSearchParams(entries.map(([k, v]) => [k, String(v)]))}` : ''
}

/** Every page's data, one key per resource. Live changes invalidate by the first element of the key. */
export const queries = {
  me: (get: Get) => queryOptions({ queryKey: ['me'], queryFn: () => get<Me>('/api/me'), staleTime: 300_000 }),
  dashboard: (get: Get) =>
    queryOptions({ queryKey: ['dashboard'], queryFn: () => get<Dashboard>('/api/dashboard') }),
  projects: (get: Get, filter: { status?: string; health?: string; q?: string } = {}) =>
    queryOptions({
      queryKey: ['projects', filter],
      queryFn: () =>
        get<{ projects: ProjectListItem[] }>(`/api/projects${qs({ page_size: 100, ...filter })}`).then(
          (r) => r.projects,
        ),
    }),
  project: (get: Get, id: string) =>
    queryOptions({ queryKey: ['project', id], queryFn: () => get<ProjectDetail>(`/api/projects/${id}`) }),
  resources: (get: Get, filter: { role_id?: string; skill_id?: string; q?: string } = {}) =>
    queryOptions({
      queryKey: ['resources', filter],
      queryFn: () =>
        get<{ resources: Resource[] }>(
          `/api/resources${qs({ page_size: 100, active: 'true', ...filter })}`,
        ).then((r) => r.resources),
    }),
  capacity: (get: Get, filter: { role_id?: string; skill_id?: string; weeks?: number } = {}) =>
    queryOptions({
      queryKey: ['capacity', filter],
      queryFn: () => get<CapacityHeatmap>(`/api/resources/capacity${qs({ weeks: 12, ...filter })}`),
    }),
  resource: (get: Get, id: string) =>
    queryOptions({ queryKey: ['resource', id], queryFn: () => get<ResourceDetail>(`/api/resources/${id}`) }),
  quotes: (get: Get) =>
    queryOptions({
      queryKey: ['quotes'],
      queryFn: () => get<{ quotes: Quote[] }>('/api/quotes?page_size=100').then((r) => r.quotes),
    }),
  quote: (get: Get, id: string) =>
    queryOptions({ queryKey: ['quote', id], queryFn: () => get<QuoteDetail>(`/api/quotes/${id}`) }),
  sessions: (get: Get) =>
    queryOptions({
      queryKey: ['sessions'],
      queryFn: () =>
        get<{ sessions: Session[] }>('/api/sessions?page_size=50&include_children=true').then(
          (r) => r.sessions,
        ),
    }),
  session: (get: Get, id: string) =>
    queryOptions({ queryKey: ['session', id], queryFn: () => get<Session>(`/api/sessions/${id}`) }),
  sessionProposals: (get: Get, sessionId: string) =>
    queryOptions({
      queryKey: ['proposals', { session_id: sessionId }],
      queryFn: () =>
        get<{ proposals: Proposal[] }>(`/api/proposals?session_id=${sessionId}&page_size=100`).then(
          (r) => r.proposals,
        ),
    }),
  proposalDiff: (get: Get, id: string) =>
    queryOptions({
      queryKey: ['proposals', 'diff', id],
      queryFn: () => get<ProposalDiff>(`/api/proposals/${id}/diff`),
    }),
}

/**
 * What a change to each table makes stale (the first element of the query keys). Tables not listed, and
 * `*` (changes may have been missed), make everything stale.
 */
export const STALE_AFTER_CHANGE: Record<string, readonly string[]> = {
  proposals: ['proposals', 'dashboard'],
  agent_sessions: ['sessions', 'session'],
  projects: ['projects', 'project', 'dashboard', 'resource'],
  phases: ['project'],
  tasks: ['project', 'projects', 'dashboard'],
  task_dependencies: ['project'],
  milestones: ['project', 'projects', 'dashboard'],
  baselines: ['project', 'projects', 'dashboard'],
  time_entries: ['project', 'projects', 'dashboard', 'resource', 'capacity'],
  resource_requests: ['dashboard', 'project'],
  allocations: ['capacity', 'resource', 'project', 'dashboard'],
  people: ['resources', 'resource', 'capacity', 'project'],
  person_skills: ['resources', 'resource'],
  time_off: ['resource', 'capacity', 'dashboard'],
  quotes: ['quotes', 'quote', 'dashboard'],
  quote_versions: ['quotes', 'quote'],
  quote_lines: ['quote'],
  clients: ['projects', 'quotes'],
}

/** The query-key roots a batch of changed tables makes stale, or null for "everything". */
export function staleRoots(tables: readonly string[]): Set<string> | null {
  const roots = new Set<string>()
  for (const table of tables) {
    const stale = STALE_AFTER_CHANGE[table]
    if (!stale) return null
    for (const root of stale) roots.add(root)
  }
  return roots
}
