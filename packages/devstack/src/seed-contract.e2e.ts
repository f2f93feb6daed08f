import { testDatabaseUrl } from '@psa/test-kit'
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type DevSession, devSession, type E2eStack, readEvents } from './testing/e2e-stack.js'
import {
  type AgentRequest,
  type AgentResponse,
  agentLogSchema,
  agentResponseSchema,
  asNoteType,
  cancelledResponseSchema,
} from './testing/seed-contract.js'
import { AgentApiClient, agentsRoute } from './testing/seed-proxy.js'

const TERMINAL = new Set(['completed', 'failed', 'cancelled'])

const REQUESTS: { type: AgentRequest['type']; request: string }[] = [
  {
    type: 'project_management',
    request: 'Plan a 12-week website rebuild for Acme starting 5 Jan, budget $150k',
  },
  { type: 'resourcing', request: "Who can staff Acme's React roles next month?" },
  { type: 'quotes', request: 'Quote 200h senior dev + 80h design at 30% margin' },
  {
    type: 'orchestrator',
    request:
      'Set up, staff and quote a 12-week website rebuild for Acme starting 5 Jan, budget $150k, at 30% margin',
  },
]

/**
 * The customer's contract (their architecture note) against the running product, which `stack.e2e.test.ts`
 * starts (built gateway, orchestrator and agent workers as processes, real Postgres and NATS) and shares:
 * every answer an agent route gives is parsed with the note's own types, and the client at the heart of it
 * knows nothing but the note.
 */
export function describeSeedContract(stack: () => E2eStack): void {
  let e2e: E2eStack
  let session: DevSession
  let sql: postgres.Sql

  beforeAll(async () => {
    e2e = stack()
    session = await devSession(e2e.api, 'owner@northwind.example')
    sql = postgres(testDatabaseUrl(), { max: 2, onnotice: () => {} })
  })

  afterAll(async () => {
    await sql?.end()
  })

  /** The note's web app: its proxy route, with PYTHON_AGENT_URL pointed at our gateway. */
  function noteWebApp() {
    const env = { PYTHON_AGENT_URL: e2e.api }
    const supabase = { auth: { getSession: async () => ({ data: { session } }) } }
    return {
      route: agentsRoute(env, supabase),
      client: new AgentApiClient(env.PYTHON_AGENT_URL, async () => session.access_token),
    }
  }

  /** What the browser sends the proxy: the note's AgentRequest (the proxy fills in user_id). */
  function browserRequest(body: Omit<AgentRequest, 'user_id'>): Request {
    return new Request('http://next.local/api/agents', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
  }

  async function pollUntilFinished(client: AgentApiClient, sessionId: string): Promise<AgentResponse[]> {
    const seen: AgentResponse[] = []
    const deadline = Date.now() + 90_000
    for (;;) {
      const status = await client.getStatus(sessionId)
      seen.push(status)
      if (TERMINAL.has(status.status) || Date.now() > deadline) return seen
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }

  async function api(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
  ): Promise<{ status: number; body: unknown }> {
    const res = await fetch(`${e2e.api}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${session.access_token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    })
    return { status: res.status, body: await res.json() }
  }

  const finished: { type: AgentRequest['type']; final: AgentResponse }[] = []

  describe("a client that knows only the note's types and routes", () => {
    it('submits through the note’s proxy, polls /agents/status and reads every agent’s result', async () => {
      const { route, client } = noteWebApp()
      await Promise.all(
        REQUESTS.map(async ({ type, request }) => {
          const sessionId = crypto.randomUUID()
          const proxied = await route.POST(browserRequest({ type, request, session_id: sessionId }))
          expect(proxied.status).toBe(200)
          const queued = asNoteType(
            agentResponseSchema,
            await proxied.json(),
            `${type}: POST /agents/process`,
          )
          expect(queued).toMatchObject({ session_id: sessionId, status: 'queued', processing_time_ms: 0 })
          expect(queued.agents_involved).toEqual([])
          expect(queued.error).toBeUndefined()

          const statuses = await pollUntilFinished(client, sessionId)
          for (const [i, s] of statuses.entries())
            asNoteType(agentResponseSchema, s, `${type}: GET /agents/status #${i + 1}`)
          const final = statuses.at(-1) as AgentResponse
          expect(final, JSON.stringify(final)).toMatchObject({ session_id: sessionId, status: 'completed' })
          expect(final.result).toBeTruthy()
          expect(final.error).toBeUndefined()
          expect(final.agents_involved).toContain(type)
          expect(final.processing_time_ms).toBeGreaterThan(0)
          finished.push({ type, final })
        }),
      )
      const orchestrated = finished.find((f) => f.type === 'orchestrator')?.final
      expect(orchestrated?.agents_involved).toEqual(
        expect.arrayContaining(['orchestrator', 'project_management', 'resourcing', 'quotes']),
      )
    }, 120_000)

    it('reads the thinking logs as the note’s Realtime subscriber does: session_id, agent_name, message, timestamp', async () => {
      expect(finished.length).toBeGreaterThan(0)
      const [published] = await sql<{ attnames: string[] }[]>`
        select attnames from pg_publication_tables
        where pubname = 'supabase_realtime' and schemaname = 'public' and tablename = 'agent_logs'`
      expect(published?.attnames).toEqual(
        expect.arrayContaining(['session_id', 'agent_name', 'message', 'timestamp']),
      )

      for (const { final } of finished) {
        // Realtime delivers a row to a subscriber only if the subscriber's select policies admit it: read as
        // the signed-in user (role authenticated, their claims), the row as JSON (`payload.new`).
        const rows = await sql.begin(async (tx) => {
          await tx`select set_config('role', 'authenticated', true),
                          set_config('request.jwt.claims', ${JSON.stringify({ sub: session.user.id, role: 'authenticated' })}, true)`
          return tx<{ row: unknown }[]>`
            select to_jsonb(l) as row from public.agent_logs l where session_id = ${final.session_id} order by seq`
        })
        const logs = rows.map((r, i) => asNoteType(agentLogSchema, r.row, `agent_logs row ${i + 1}`))
        expect(logs.length).toBeGreaterThan(2)
        expect(logs.every((l) => l.session_id === final.session_id)).toBe(true)
        const times = logs.map((l) => Date.parse(l.timestamp))
        expect(times).toEqual([...times].sort((a, b) => a - b))
        expect(logs.some((l) => l.message.length > 0 && l.agent_name.length > 0)).toBe(true)
      }
    })
  })

  describe("every agent route answers the note's AgentResponse", () => {
    it('the /api family: submit, the typed shortcuts, get, status, list, cancel and the SSE final result', async () => {
      const note = (value: unknown, where: string) => asNoteType(agentResponseSchema, value, where)
      const submits = [
        ['/api/agents', { type: 'quotes', request: 'Quote 40h design at 30% margin' }],
        ['/api/agents/project', { request: 'Plan a 4-week discovery for Acme starting 5 Jan' }],
        ['/api/agents/resource', { request: 'Who is free next month?' }],
        ['/api/agents/quotes', { request: 'Quote 80h senior dev at 25% margin' }],
      ] as const
      const ids: string[] = []
      for (const [path, body] of submits) {
        const res = await api('POST', path, {
          ...body,
          session_id: crypto.randomUUID(),
          user_id: session.user.id,
        })
        expect(res.status, path).toBe(202)
        ids.push(note(res.body, `POST ${path}`).session_id)
      }

      // Follow the first to its end over SSE: its final_result carries the note's result fields and types.
      const events = await readEvents(`${e2e.api}/api/sessions/${ids[0]}/events`, session.access_token)
      const finalResult = events.find((e) => e.data.type === 'final_result')?.data
      expect(finalResult, JSON.stringify(events.map((e) => e.data.type))).toBeDefined()
      const resultFields = agentResponseSchema.pick({
        result: true,
        agents_involved: true,
        processing_time_ms: true,
      })
      const fromStream = asNoteType(resultFields, finalResult?.data, 'SSE final_result data')
      expect(fromStream.agents_involved).toContain('quotes')

      for (const path of [
        `/api/sessions/${ids[0]}`,
        `/api/agents/status/${ids[0]}`,
        `/agents/status/${ids[0]}`,
      ]) {
        const res = await api('GET', path)
        expect(res.status, path).toBe(200)
        expect(note(res.body, `GET ${path}`)).toMatchObject({ status: 'completed', ...fromStream })
      }

      const list = await api('GET', '/api/sessions?mine=true&page_size=50')
      expect(list.status).toBe(200)
      const sessions = (list.body as { sessions: unknown[] }).sessions
      expect(sessions.length).toBeGreaterThan(0)
      for (const [i, s] of sessions.entries()) {
        const status = (s as { status?: string }).status
        asNoteType(
          status === 'cancelled' ? cancelledResponseSchema : agentResponseSchema,
          s,
          `GET /api/sessions #${i}`,
        )
      }

      // Cancelling answers the note's shape too (with our added status), the reason in `error`.
      const doomed = await api('POST', '/agents/process', {
        type: 'orchestrator',
        request: 'Set up, staff and quote the Acme rebuild',
        session_id: crypto.randomUUID(),
        user_id: session.user.id,
      })
      const doomedId = note(doomed.body, 'POST /agents/process').session_id
      const cancelled = await api('POST', `/api/sessions/${doomedId}/cancel`, { reason: 'Changed my mind' })
      // The offline model may finish first: cancelling a finished session is 409 INVALID_STATE, and the
      // session it leaves still reads in the note's shape.
      if (cancelled.status === 409) {
        expect(cancelled.body).toMatchObject({ error: { code: 'INVALID_STATE' } })
        const finished = await api('GET', `/api/sessions/${doomedId}`)
        expect(finished.status).toBe(200)
        asNoteType(agentResponseSchema, finished.body, 'GET /api/sessions/:id after a late cancel')
      } else {
        expect(cancelled.status).toBe(200)
        const after = asNoteType(
          cancelledResponseSchema.or(agentResponseSchema),
          cancelled.body,
          'POST /api/sessions/:id/cancel',
        )
        if (after.status === 'cancelled') expect(after.error).toEqual(expect.any(String))
      }
    }, 120_000)

    it('refuses a user_id that is not the signed-in user with 403 USER_MISMATCH, on both families', async () => {
      const other = await devSession(e2e.api, 'member@northwind.example')
      for (const path of ['/api/agents', '/agents/process']) {
        const res = await api('POST', path, {
          type: 'quotes',
          request: 'Quote it',
          session_id: crypto.randomUUID(),
          user_id: other.user.id,
        })
        expect(res.status, path).toBe(403)
        expect(res.body).toMatchObject({ error: { code: 'USER_MISMATCH' } })
      }
    })

    it('documents both route families in the OpenAPI document', async () => {
      const doc = (await (await fetch(`${e2e.api}/openapi.json`)).json()) as {
        paths: Record<string, Record<string, { tags?: string[] }>>
      }
      expect(doc.paths['/agents/process']?.post?.tags).toEqual(['runtime'])
      expect(doc.paths['/agents/status/{session_id}']?.get?.tags).toEqual(['runtime'])
      for (const path of ['/api/agents', '/api/agents/project', '/api/agents/resource', '/api/agents/quotes'])
        expect(doc.paths[path]?.post, path).toBeDefined()
      expect(doc.paths['/api/sessions/{id}']?.get).toBeDefined()
      expect(doc.paths['/api/agents/status/{session_id}']?.get).toBeDefined()
    })
  })
}
