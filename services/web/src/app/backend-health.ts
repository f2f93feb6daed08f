import { z } from 'zod'
import { GATEWAY_READINESS_PATH } from '../gateway-paths'

export interface CheckSummary {
  name: string
  ok: boolean
  error?: string
}

/** What the home page shows about the API gateway and, through its readiness checks, what it depends on. */
export type BackendHealth =
  | { state: 'ready'; checks: CheckSummary[] }
  | { state: 'not_ready'; checks: CheckSummary[] }
  | { state: 'unreachable'; reason: string }

const readinessBody = z.object({
  status: z.enum(['ready', 'not_ready']),
  checks: z
    .record(z.string(), z.object({ ok: z.boolean(), error: z.string().optional() }).loose())
    .default({}),
})

const errorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) })

/** Reads the answer of `GET /gateway/readyz` (the gateway's readiness, or this server's proxy error). */
export function interpretReadiness(status: number, body: unknown): BackendHealth {
  const readiness = readinessBody.safeParse(body)
  if (readiness.success && (status === 200 || status === 503)) {
    const checks = Object.entries(readiness.data.checks)
      .map(([name, c]) => ({ name, ok: c.ok, ...(c.error ? { error: c.error } : {}) }))
      .sort((a, b) => a.name.localeCompare(b.name))
    const ready = status === 200 && readiness.data.status === 'ready'
    return { state: ready ? 'ready' : 'not_ready', checks }
  }
  const error = errorBody.safeParse(body)
  if (error.success) return { state: 'unreachable', reason: error.data.error.message }
  return { state: 'unreachable', reason: `The API gateway gave an unexpected answer (HTTP ${status})` }
}

/** Asks this site's own origin; the server forwards to the gateway, so the browser never needs its address. */
export async function fetchBackendHealth(
  signal?: AbortSignal,
  fetchImpl: typeof fetch = fetch,
): Promise<BackendHealth> {
  let res: Response
  try {
    res = await fetchImpl(GATEWAY_READINESS_PATH, {
      cache: 'no-store',
      headers: { accept: 'application/json' },
      ...(signal ? { signal } : {}),
    })
  } catch {
    return {
      state: 'unreachable',
      reason: signal?.aborted
        ? 'The backend did not answer in time'
        : 'This site could not be reached to ask about the backend',
    }
  }
  const body: unknown = await res.json().catch(() => undefined)
  return interpretReadiness(res.status, body)
}
