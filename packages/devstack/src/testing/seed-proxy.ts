// Test-only: the customer's Next.js proxy layer as their architecture note writes it ("Next.js API Routes
// (Proxy Layer)", src/app/api/agents/route.ts), re-created with fetch and nothing of ours, so a test can drive
// the gateway exactly as their web app would with PYTHON_AGENT_URL pointed at it.
import { type AgentRequest, type AgentResponse, agentRequestSchema, asNoteType } from './seed-contract.js'

/** The part of a Supabase session the proxy uses (`supabase.auth.getSession()`). */
export interface SupabaseSession {
  access_token: string
  user: { id: string }
}

export interface SupabaseLike {
  auth: { getSession(): Promise<{ data: { session: SupabaseSession | null } }> }
}

/**
 * The note's `src/lib/api-client.ts` is not shown. Its peer, the FastAPI runtime, authenticates every submit
 * with `Depends(verify_token)`, so the client must send a token, and the only one the proxy holds is the
 * Supabase session's access token: it goes as `Authorization: Bearer`, the scheme FastAPI's HTTPBearer and
 * Supabase both use.
 */
export class AgentApiClient {
  readonly #baseUrl: string
  readonly #accessToken: () => Promise<string | undefined>

  constructor(baseUrl: string, accessToken: () => Promise<string | undefined>) {
    this.#baseUrl = baseUrl.replace(/\/+$/, '')
    this.#accessToken = accessToken
  }

  /** POST /agents/process, the note's FastAPI route. */
  processRequest(request: AgentRequest): Promise<AgentResponse> {
    return this.#call('POST', '/agents/process', request)
  }

  /** GET /agents/status/{session_id}, the note's FastAPI route. */
  getStatus(sessionId: string): Promise<AgentResponse> {
    return this.#call('GET', `/agents/status/${encodeURIComponent(sessionId)}`)
  }

  async #call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<AgentResponse> {
    const token = await this.#accessToken()
    const res = await fetch(`${this.#baseUrl}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    if (!res.ok) throw new AgentApiError(res.status, await res.text())
    return (await res.json()) as AgentResponse
  }
}

export class AgentApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`agent runtime answered ${status}: ${body}`)
  }
}

/**
 * `export async function POST(request: Request)` of the note's src/app/api/agents/route.ts, its lines kept:
 * `createClient(SUPABASE_URL, SUPABASE_ANON_KEY)` is the `supabase` given, the AgentApiClient sends the
 * session's token (see above), and what it forwards is checked to be the note's AgentRequest.
 */
export function agentsRoute(env: { PYTHON_AGENT_URL: string }, supabase: SupabaseLike) {
  return {
    async POST(request: Request): Promise<Response> {
      // Verify authentication
      const {
        data: { session },
      } = await supabase.auth.getSession()
      if (!session) {
        return Response.json({ error: 'Unauthorized' }, { status: 401 })
      }

      // (`any` under the DOM types Next.js uses; Node's say `unknown`.)
      const agentRequest = (await request.json()) as Record<string, unknown>

      // Forward to Python runtime
      const agentClient = new AgentApiClient(env.PYTHON_AGENT_URL, async () => session.access_token)
      const response = await agentClient.processRequest(
        asNoteType(agentRequestSchema, { ...agentRequest, user_id: session.user.id }, 'the proxied request'),
      )

      return Response.json(response)
    },
  }
}
