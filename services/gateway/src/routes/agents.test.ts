import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type GatewayHarness, startGatewayHarness } from '../testing/harness.js'

let h: GatewayHarness

beforeAll(async () => {
  h = await startGatewayHarness({ orchestrator: true, orchestratorEnv: { MAX_IN_FLIGHT_PER_USER: '4' } })
})
afterAll(async () => {
  await h?.close()
})

type User = Parameters<GatewayHarness['token']>[0]

async function call(method: 'GET' | 'POST', url: string, user: User, payload?: unknown, headers = {}) {
  const res = await h.app.inject({
    method,
    url,
    headers: { ...(await h.bearer(user)), ...headers },
    ...(payload === undefined ? {} : { payload: payload as object }),
  })
  return { status: res.statusCode, body: res.json(), headers: res.headers }
}

describe('POST /api/agents', () => {
  it('queues the request and answers 202 with the AgentResponse', async () => {
    const traceId = 'e'.repeat(32)
    const res = await call(
      'POST',
      '/api/agents',
      'admin',
      {
        type: 'project_management',
        request: 'Plan a 12-week website rebuild for Acme starting 5 Jan, budget $150k',
        context: { client_id: h.tenant.ids.client, weeks: 12 },
      },
      { traceparent: `00-${traceId}-${'1'.repeat(16)}-01` },
    )
    expect(res.status).toBe(202)
    expect(res.body).toMatchObject({
      status: 'queued',
      type: 'project_management',
      request: 'Plan a 12-week website rebuild for Acme starting 5 Jan, budget $150k',
      context: { client_id: h.tenant.ids.client, weeks: 12 },
      user_id: h.tenant.users.admin.id,
      organisation_id: h.tenant.orgId,
      parent_session_id: null,
      result: null,
      error_code: null,
      agents_involved: [],
      // The customer's type is a number: nothing has been processed yet.
      processing_time_ms: 0,
      auto_apply: false,
      last_event_seq: 1,
      attempts: 0,
      usage: { input_tokens: 0, output_tokens: 0, total_tokens: 0 },
      started_at: null,
      completed_at: null,
    })
    // `error?: string` in the customer's type: absent, not null, while there is none.
    expect(res.body).not.toHaveProperty('error')
    expect(res.body.queue_position).toBeGreaterThanOrEqual(1)
    expect(res.body.session_id).toMatch(/^[0-9a-f-]{36}$/)
    expect(Date.parse(res.body.created_at)).toBeGreaterThan(Date.now() - 60_000)
    // The caller's trace reached the orchestrator (it stores the trace id with the session).
    const row = await h.db.sql`select trace_id from public.agent_sessions where id = ${res.body.session_id}`
    expect(row[0]?.trace_id).toBe(traceId)
    expect(res.headers.traceparent).toMatch(new RegExp(`^00-${traceId}-`))
  })

  it.each([
    ['/api/agents/project', 'project_management'],
    ['/api/agents/resource', 'resourcing'],
    ['/api/agents/quotes', 'quotes'],
  ])('%s submits to the %s agent', async (url, type) => {
    const res = await call('POST', url, 'member', {
      request: 'Who can staff Acme’s React roles next month?',
    })
    expect(res.status).toBe(202)
    expect(res.body.type).toBe(type)
    await call('POST', `/api/sessions/${res.body.session_id}/cancel`, 'member', {})
  })

  it('is idempotent on session_id', async () => {
    const sessionId = randomUUID()
    const body = {
      type: 'quotes',
      request: 'Quote 200h senior dev + 80h design at 30% margin',
      session_id: sessionId,
    }
    const first = await call('POST', '/api/agents', 'admin', body)
    const second = await call('POST', '/api/agents', 'admin', body)
    expect(first.status).toBe(202)
    expect(second.status).toBe(202)
    expect(second.body.session_id).toBe(sessionId)
    expect(second.body.created_at).toBe(first.body.created_at)
  })

  it('validates the body before calling the orchestrator', async () => {
    for (const body of [
      { type: 'quotes', request: '   ' },
      { type: 'quotes' },
      { type: 'poetry', request: 'x' },
      { type: 'quotes', request: 'x', context: [1, 2] },
      { type: 'quotes', request: 'x', session_id: 'abc' },
      { type: 'quotes', request: 'x', auto_apply: 'yes' },
    ]) {
      const res = await call('POST', '/api/agents', 'admin', body)
      expect(res.status, JSON.stringify(body)).toBe(400)
      expect(res.body.error.code).toBe('VALIDATION_FAILED')
    }
  })

  it('maps the orchestrator’s refusals: auto-apply for members (403), too many in flight (429)', async () => {
    const auto = await call('POST', '/api/agents', 'member', {
      type: 'quotes',
      request: 'Quote it',
      auto_apply: true,
    })
    expect(auto.status).toBe(403)
    expect(auto.body.error.code).toBe('FORBIDDEN')

    const submitted: string[] = []
    let refused: Awaited<ReturnType<typeof call>> | undefined
    for (let i = 0; i < 6 && !refused; i++) {
      const res = await call('POST', '/api/agents/quotes', 'manager', { request: `Quote number ${i}` })
      if (res.status === 202) submitted.push(res.body.session_id)
      else refused = res
    }
    expect(submitted).toHaveLength(4)
    expect(refused?.status).toBe(429)
    expect(refused?.body.error).toMatchObject({ code: 'TOO_MANY_IN_FLIGHT', details: { limit: 4 } })
    for (const id of submitted)
      await call('POST', `/api/sessions/${id}/cancel`, 'manager', { reason: 'test' })
  })

  it('answers for an organisation the user does not belong to with 404', async () => {
    const res = await call('POST', '/api/agents', 'admin', {
      type: 'quotes',
      request: 'x',
      organisation_id: h.tenant.otherOrgId,
    })
    expect(res.status).toBe(404)
  })
})

describe("the customer's AgentRequest and the original runtime's routes", () => {
  const noteBody = (user: User, extra: Record<string, unknown> = {}) => ({
    type: 'quotes',
    request: 'Quote 200h senior dev + 80h design at 30% margin',
    context: { client: 'Acme' },
    session_id: randomUUID(),
    user_id: h.tenant.users[user].id,
    ...extra,
  })

  it('accepts the note’s body on every submit route, with user_id the caller’s own', async () => {
    for (const [url, status] of [
      ['/api/agents', 202],
      ['/api/agents/quotes', 202],
      ['/agents/process', 200],
    ] as const) {
      const body = noteBody('manager')
      const res = await call(
        'POST',
        url,
        'manager',
        url === '/api/agents/quotes' ? { ...body, type: undefined } : body,
      )
      expect(res.status, url).toBe(status)
      expect(res.body).toMatchObject({
        session_id: body.session_id,
        status: 'queued',
        user_id: body.user_id,
        agents_involved: [],
        processing_time_ms: 0,
      })
      await call('POST', `/api/sessions/${body.session_id}/cancel`, 'manager', {})
    }
  })

  it('refuses a user_id that is not the caller’s with 403 USER_MISMATCH and creates nothing', async () => {
    for (const url of ['/api/agents', '/agents/process']) {
      for (const userId of [h.tenant.users.admin.id, 'not-a-user']) {
        const body = noteBody('member', { user_id: userId })
        const res = await call('POST', url, 'member', body)
        expect(res.status, `${url} ${userId}`).toBe(403)
        expect(res.body.error).toMatchObject({ code: 'USER_MISMATCH', details: { field: 'user_id' } })
        expect((await call('GET', `/api/sessions/${body.session_id}`, 'admin')).status).toBe(404)
      }
    }
  })

  it('treats an empty session_id as none (the server assigns one) and is idempotent across both families', async () => {
    const assigned = await call('POST', '/agents/process', 'member', noteBody('member', { session_id: '' }))
    expect(assigned.status).toBe(200)
    expect(assigned.body.session_id).toMatch(/^[0-9a-f-]{36}$/)

    const body = noteBody('member')
    const viaApi = await call('POST', '/api/agents', 'member', body)
    const viaRuntime = await call('POST', '/agents/process', 'member', body)
    expect(viaRuntime.body.session_id).toBe(viaApi.body.session_id)
    expect(viaRuntime.body.created_at).toBe(viaApi.body.created_at)
    for (const id of [assigned.body.session_id, body.session_id])
      await call('POST', `/api/sessions/${id}/cancel`, 'member', {})
  })

  it('serves a session’s status at /agents/status/:session_id and /api/agents/status/:session_id', async () => {
    const submitted = await call('POST', '/agents/process', 'member', noteBody('member'))
    const id = submitted.body.session_id as string
    const session = await call('GET', `/api/sessions/${id}`, 'viewer')
    for (const url of [`/agents/status/${id}`, `/api/agents/status/${id}`]) {
      const res = await call('GET', url, 'viewer')
      expect(res.status, url).toBe(200)
      expect(res.body).toEqual(session.body)
      // Same auth as every agent route, and the same answers for ids that are not the caller's to see.
      const anonymous = await h.app.inject({ method: 'GET', url })
      expect(anonymous.statusCode).toBe(401)
      expect((await call('GET', url, 'otherAdmin')).status).toBe(404)
    }
    expect((await call('GET', `/agents/status/${randomUUID()}`, 'member')).status).toBe(404)
    expect((await call('GET', '/agents/status/123', 'member')).status).toBe(400)
    const anonymous = await h.app.inject({
      method: 'POST',
      url: '/agents/process',
      payload: noteBody('member'),
    })
    expect(anonymous.statusCode).toBe(401)
    await call('POST', `/api/sessions/${id}/cancel`, 'member', {})
  })

  it('reports processing_time_ms while a session runs (time since it started) and once it finished', async () => {
    const submitted = await call('POST', '/agents/process', 'member', noteBody('member'))
    const id = submitted.body.session_id as string
    const worker = await h.orchestrator?.worker(id)
    await new Promise((resolve) => setTimeout(resolve, 20))
    const running = await call('GET', `/agents/status/${id}`, 'member')
    expect(running.body.status).toBe('processing')
    expect(running.body.processing_time_ms).toBeGreaterThanOrEqual(15)
    await worker?.close()
    // Once finished, the measured time of the attempt.
    await h.orchestrator?.server.store.attempts.complete(id, worker?.attempt ?? 1, {
      result: { ok: true },
      agentsInvolved: ['quotes'],
      processingTimeMs: 7,
      inputTokens: 0,
      outputTokens: 0,
    })
    const done = await call('GET', `/agents/status/${id}`, 'member')
    expect(done.body).toMatchObject({ status: 'completed', processing_time_ms: 7, result: { ok: true } })
  })
})

describe('sessions', () => {
  it('gets, lists, positions and cancels sessions', async () => {
    const submitted = await call('POST', '/api/agents/resource', 'member', {
      request: 'Who is free in March?',
    })
    const id = submitted.body.session_id as string

    const one = await call('GET', `/api/sessions/${id}`, 'viewer')
    expect(one.status).toBe(200)
    expect(one.body).toMatchObject({ session_id: id, status: 'queued', type: 'resourcing' })

    const position = await call('GET', `/api/sessions/${id}/queue-position`, 'member')
    expect(position.status).toBe(200)
    expect(position.body).toMatchObject({ session_id: id, status: 'queued', type: 'resourcing' })
    expect(position.body.position).toBeGreaterThanOrEqual(1)
    expect(position.body.queue_depth).toBeGreaterThanOrEqual(position.body.position)

    const mine = await call('GET', '/api/sessions?mine=true&type=resourcing&status=queued', 'member')
    expect(mine.body.sessions.map((s: { session_id: string }) => s.session_id)).toContain(id)
    expect(mine.body.sessions.every((s: { user_id: string }) => s.user_id === h.tenant.users.member.id)).toBe(
      true,
    )

    const page1 = await call('GET', '/api/sessions?page_size=1', 'admin')
    expect(page1.body.sessions).toHaveLength(1)
    expect(page1.body.next_page_token).toEqual(expect.any(String))
    const page2 = await call(
      'GET',
      `/api/sessions?page_size=1&page_token=${page1.body.next_page_token}`,
      'admin',
    )
    expect(page2.body.sessions).toHaveLength(1)
    expect(page2.body.sessions[0].session_id).not.toBe(page1.body.sessions[0].session_id)

    // Viewers may watch but not cancel someone else's session.
    const viewerCancel = await call('POST', `/api/sessions/${id}/cancel`, 'viewer', {})
    expect(viewerCancel.status).toBe(403)
    const cancelled = await call('POST', `/api/sessions/${id}/cancel`, 'member', {
      reason: 'Changed my mind',
    })
    expect(cancelled.status).toBe(200)
    expect(cancelled.body).toMatchObject({ status: 'cancelled', error_code: 'CANCELLED' })
    expect(cancelled.body.completed_at).toEqual(expect.any(String))
    const again = await call('POST', `/api/sessions/${id}/cancel`, 'member')
    expect(again.status).toBe(409)
    expect(again.body.error.code).toBe('INVALID_STATE')
    const gone = await call('GET', `/api/sessions/${id}/queue-position`, 'member')
    expect(gone.body.position).toBe(0)
  })

  it('hides other organisations’ sessions and unknown ids behind 404', async () => {
    const submitted = await call('POST', '/api/agents/quotes', 'admin', { request: 'Quote for Acme' })
    const id = submitted.body.session_id as string
    for (const url of [`/api/sessions/${id}`, `/api/sessions/${id}/queue-position`]) {
      const res = await call('GET', url, 'otherAdmin')
      expect(res.status).toBe(404)
      expect(res.body.error.code).toBe('NOT_FOUND')
    }
    expect((await call('POST', `/api/sessions/${id}/cancel`, 'otherAdmin')).status).toBe(404)
    expect((await call('GET', `/api/sessions/${randomUUID()}`, 'admin')).status).toBe(404)
    expect((await call('GET', '/api/sessions/123', 'admin')).status).toBe(400)
    expect((await call('GET', '/api/sessions?page_size=500', 'admin')).status).toBe(400)
    expect((await call('GET', '/api/sessions?page_token=%00garbage', 'admin')).status).toBe(400)
    await call('POST', `/api/sessions/${id}/cancel`, 'admin')
  })

  it('is ready when Postgres and the orchestrator are', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/readyz' })
    expect(res.json()).toMatchObject({
      status: 'ready',
      checks: { postgres: { ok: true }, orchestrator: { ok: true } },
    })
    expect(res.statusCode).toBe(200)
  })
})
