// Test-only: what a client of the gateway does to put a request to an agent and follow it: submit over
// HTTP with a bearer token, read the session's event stream (SSE) to its end, then read the finished session.
import { readEvents, type SseEvent } from './e2e-stack.js'

export type AgentType = 'project_management' | 'resourcing' | 'quotes' | 'orchestrator'

/** The gateway's AgentResponse, as far as these tests read it. */
export interface AgentSession {
  session_id: string
  status: 'queued' | 'processing' | 'completed' | 'failed' | 'cancelled'
  result: ({ summary?: string } & Record<string, unknown>) | null
  error?: string
  error_code: string | null
  agents_involved: string[]
  type: AgentType | null
  request: string
  parent_session_id: string | null
  organisation_id: string | null
}

export interface AgentRun {
  session: AgentSession
  events: SseEvent[]
}

export interface ApiAnswer<T = unknown> {
  status: number
  body: T
}

export class GatewayClient {
  constructor(
    readonly api: string,
    readonly token: string,
  ) {}

  async call<T = unknown>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<ApiAnswer<T>> {
    const res = await fetch(`${this.api}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(30_000),
    })
    const text = await res.text()
    return { status: res.status, body: (text ? JSON.parse(text) : null) as T }
  }

  get<T = unknown>(path: string): Promise<ApiAnswer<T>> {
    return this.call<T>('GET', path)
  }

  post<T = unknown>(path: string, body: unknown = {}): Promise<ApiAnswer<T>> {
    return this.call<T>('POST', path, body)
  }

  /** Submits to POST /api/agents, follows the session's SSE stream to its end, and reads the session. */
  async ask(request: {
    type: AgentType
    request: string
    context?: Record<string, unknown>
    auto_apply?: boolean
  }): Promise<AgentRun> {
    const submitted = await this.post<AgentSession>('/api/agents', request)
    if (submitted.status !== 202) {
      throw new Error(`POST /api/agents answered ${submitted.status}: ${JSON.stringify(submitted.body)}`)
    }
    return this.follow(submitted.body.session_id)
  }

  /** Reads a session's events to the end (the gateway closes the stream after its terminal event). */
  async follow(sessionId: string): Promise<AgentRun> {
    const events = await readEvents(`${this.api}/api/sessions/${sessionId}/events`, this.token)
    const session = await this.get<AgentSession>(`/api/sessions/${sessionId}`)
    if (session.status !== 200) throw new Error(`GET /api/sessions/${sessionId} answered ${session.status}`)
    return { session: session.body, events }
  }
}

/** The events of a run by type, with their data. */
export function eventsOf<T = Record<string, unknown>>(run: AgentRun, type: string): T[] {
  return run.events.filter((e) => e.data.type === type).map((e) => e.data.data as T)
}
