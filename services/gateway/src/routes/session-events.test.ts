import type { SessionEventBody } from '@psa/agent-pipeline'
import { createParser, type EventSourceMessage } from 'eventsource-parser'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type GatewayHarness, type JsonBody, startGatewayHarness } from '../testing/harness.js'

let h: GatewayHarness

beforeAll(async () => {
  h = await startGatewayHarness({
    orchestrator: true,
    listen: true,
    env: { SSE_HEARTBEAT_MS: '100', SSE_RETRY_MS: '1500', SSE_MAX_STREAMS_PER_USER: '3' },
  })
})
afterAll(async () => {
  await h?.close()
})

interface Received {
  status: number
  headers: Headers
  events: EventSourceMessage[]
  comments: string[]
  retry: number[]
  /** Resolves when the server ends the stream. */
  ended: Promise<void>
  /** Resolves once `n` events have arrived. */
  waitForEvents(n: number): Promise<void>
  abort(): void
}

/** Opens the event stream with fetch (as the web app would) and parses it as EventSource does. */
async function open(
  sessionId: string,
  options: { headers?: Record<string, string>; query?: string; user?: 'admin' | 'member' | 'manager' } = {},
): Promise<Received> {
  const controller = new AbortController()
  const res = await fetch(`${h.baseUrl}/api/sessions/${sessionId}/events${options.query ?? ''}`, {
    headers: {
      ...(await h.bearer(options.user ?? 'admin')),
      accept: 'text/event-stream',
      ...options.headers,
    },
    signal: controller.signal,
  })
  const received: Received = {
    status: res.status,
    headers: res.headers,
    events: [],
    comments: [],
    retry: [],
    ended: Promise.resolve(),
    waitForEvents: async () => {},
    abort: () => controller.abort(),
  }
  const waiters: { n: number; resolve: () => void }[] = []
  const parser = createParser({
    onEvent: (event) => {
      received.events.push(event)
      for (const w of waiters.filter((w) => received.events.length >= w.n)) w.resolve()
    },
    onComment: (comment) => received.comments.push(comment.trim()),
    onRetry: (ms) => received.retry.push(ms),
  })
  received.waitForEvents = (n) =>
    received.events.length >= n ? Promise.resolve() : new Promise((resolve) => waiters.push({ n, resolve }))
  received.ended = (async () => {
    if (!res.body) return
    const decoder = new TextDecoder()
    try {
      for await (const chunk of res.body) parser.feed(decoder.decode(chunk as Uint8Array, { stream: true }))
    } catch (err) {
      if ((err as Error).name !== 'AbortError') throw err
    }
  })()
  return received
}

async function submit(user: 'admin' | 'member' = 'admin'): Promise<string> {
  const res = await h.app.inject({
    method: 'POST',
    url: '/api/agents/project',
    headers: await h.bearer(user),
    payload: { request: 'Plan a 12-week website rebuild for Acme starting 5 Jan' },
  })
  expect(res.statusCode).toBe(202)
  return res.json().session_id
}

const WORK: SessionEventBody[] = [
  {
    type: 'status_changed',
    data: { status: 'processing', message: 'Started', queue_position: 0, attempt: 1 },
  },
  { type: 'reasoning', data: { text: 'Reading the request: 12 weeks, budget $150k.' } },
  { type: 'tool_call_started', data: { tool_use_id: 't1', name: 'schedule_plan', input: { weeks: 12 } } },
  {
    type: 'tool_call_finished',
    data: {
      tool_use_id: 't1',
      name: 'schedule_plan',
      ok: true,
      summary: '4 phases',
      output: { phases: 4 },
      duration_ms: 12,
    },
  },
  {
    type: 'final_result',
    data: {
      result: { summary: 'Planned' },
      text: 'Planned 4 phases',
      usage: { input_tokens: 10, output_tokens: 20, total_tokens: 30 },
      agents_involved: ['project_management'],
      processing_time_ms: 40,
    },
  },
  { type: 'status_changed', data: { status: 'completed', message: 'Done', queue_position: 0, attempt: 1 } },
]

/** Plays a worker: claims the session, emits the events, completes it. */
async function work(sessionId: string, events = WORK, complete = true): Promise<void> {
  const worker = await h.orchestrator?.worker(sessionId)
  if (!worker) throw new Error('no orchestrator')
  for (const event of events) await worker.emit(event)
  await worker.close()
  if (complete) {
    await h.orchestrator?.server.store.attempts.complete(sessionId, worker.attempt, {
      result: { summary: 'Planned' },
      agentsInvolved: ['project_management'],
      processingTimeMs: 40,
      inputTokens: 10,
      outputTokens: 20,
    })
  }
}

async function activeUpstreamStreams(): Promise<number> {
  const metric = await h.orchestrator?.registry
    ?.getSingleMetric('psa_orchestrator_active_event_streams')
    ?.get()
  return metric?.values.reduce((sum, v) => sum + v.value, 0) ?? 0
}

async function eventually(check: () => Promise<boolean> | boolean, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 25))
  }
}

describe('GET /api/sessions/:id/events', () => {
  it('streams the session live, event by event, and ends after the terminal event', async () => {
    const sessionId = await submit()
    const relayed = async (source: 'live' | 'replay') =>
      (await h.metrics.relayLatency.get()).values.find(
        (v) => v.metricName?.endsWith('_count') && v.labels.source === source,
      )?.value ?? 0
    const liveBefore = await relayed('live')
    const stream = await open(sessionId)
    expect(stream.status).toBe(200)
    expect(stream.headers.get('content-type')).toBe('text/event-stream; charset=utf-8')
    expect(stream.headers.get('cache-control')).toContain('no-cache')
    expect(stream.headers.get('x-accel-buffering')).toBe('no')
    expect(stream.headers.get('x-request-id')).toBeTruthy()
    expect(stream.headers.get('traceparent')).toMatch(/^00-/)
    await stream.waitForEvents(1)
    expect(stream.events[0]).toMatchObject({ id: '1', event: 'status_changed' })
    expect(JSON.parse(stream.events[0]?.data ?? '{}')).toMatchObject({
      session_id: sessionId,
      seq: 1,
      type: 'status_changed',
      data: { status: 'queued' },
    })

    await work(sessionId)
    await stream.ended
    expect(stream.events.map((e) => [e.id, e.event])).toEqual([
      ['1', 'status_changed'],
      ['2', 'status_changed'],
      ['3', 'reasoning'],
      ['4', 'tool_call_started'],
      ['5', 'tool_call_finished'],
      ['6', 'final_result'],
      ['7', 'status_changed'],
    ])
    const final = JSON.parse(stream.events[5]?.data ?? '{}')
    expect(final).toMatchObject({ seq: 6, agent: 'project_management', data: { text: 'Planned 4 phases' } })
    expect(stream.retry).toEqual([1500])
    // Event 1 happened before the client connected (replayed); 2..7 live.
    expect((await relayed('live')) - liveBefore).toBeGreaterThanOrEqual(6)
    await eventually(async () => (await h.metrics.sseClients.get()).values[0]?.value === 0)
    const traceId = stream.headers.get('traceparent')?.split('-')[1]
    const closed = h.logs.lines.find(
      (l) => l.msg === 'session event stream closed' && l.session_id === sessionId,
    )
    expect(closed).toMatchObject({ end: 'terminal', last_seq: 7, trace_id: traceId })
  })

  it('resumes after Last-Event-ID (or ?after=) with exactly the events that follow', async () => {
    const sessionId = await submit()
    await work(sessionId)
    const resumed = await open(sessionId, { headers: { 'last-event-id': '3' } })
    await resumed.ended
    expect(resumed.events.map((e) => Number(e.id))).toEqual([4, 5, 6, 7])
    const after = await open(sessionId, { query: '?after=5' })
    await after.ended
    expect(after.events.map((e) => Number(e.id))).toEqual([6, 7])
    // Last-Event-ID wins over ?after= (a reconnecting EventSource keeps its original URL).
    const both = await open(sessionId, { query: '?after=1', headers: { 'last-event-id': '6' } })
    await both.ended
    expect(both.events.map((e) => Number(e.id))).toEqual([7])
    const done = await open(sessionId, { headers: { 'last-event-id': '7' } })
    await done.ended
    expect(done.events).toEqual([])
  })

  it('sends heartbeats while the session is idle, and cancels upstream when the client leaves', async () => {
    const sessionId = await submit('member')
    const stream = await open(sessionId, { user: 'member' })
    await stream.waitForEvents(1)
    await eventually(() => stream.comments.filter((c) => c === 'heartbeat').length >= 2)
    expect(await activeUpstreamStreams()).toBe(1)
    expect((await h.metrics.sseClients.get()).values[0]?.value).toBe(1)
    stream.abort()
    await stream.ended
    await eventually(async () => (await activeUpstreamStreams()) === 0)
    await eventually(async () => (await h.metrics.sseClients.get()).values[0]?.value === 0)
    await h.app.inject({
      method: 'POST',
      url: `/api/sessions/${sessionId}/cancel`,
      headers: await h.bearer('member'),
    })
  })

  it('accepts the token as ?access_token= for EventSource clients', async () => {
    const sessionId = await submit()
    await work(sessionId)
    const token = await h.token('viewer')
    const res = await fetch(`${h.baseUrl}/api/sessions/${sessionId}/events?access_token=${token}&after=6`)
    expect(res.status).toBe(200)
    expect(await res.text()).toContain('id: 7\nevent: status_changed\n')
    const denied = await fetch(`${h.baseUrl}/api/sessions/${sessionId}/events?access_token=nope`)
    expect(denied.status).toBe(401)
  })

  it('caps the event streams one user holds open with 429 TOO_MANY_STREAMS, and frees a slot when one ends', async () => {
    const sessionId = await submit()
    const held = [await open(sessionId, { user: 'manager' }), await open(sessionId, { user: 'manager' })]
    // The change feed counts too.
    const changes = await fetch(`${h.baseUrl}/api/changes`, {
      headers: { ...(await h.bearer('manager')), accept: 'text/event-stream' },
    })
    expect(changes.status).toBe(200)
    const refused = await fetch(`${h.baseUrl}/api/sessions/${sessionId}/events`, {
      headers: await h.bearer('manager'),
    })
    expect(refused.status).toBe(429)
    expect(((await refused.json()) as JsonBody).error).toMatchObject({
      code: 'TOO_MANY_STREAMS',
      details: { open: 3, limit: 3 },
    })
    // Others are not affected.
    const colleague = await open(sessionId, { user: 'member' })
    expect(colleague.status).toBe(200)
    held[0]?.abort()
    await held[0]?.ended
    await eventually(async () => {
      const again = await open(sessionId, { user: 'manager' })
      again.abort()
      return again.status === 200
    })
    for (const s of [held[1], colleague]) s?.abort()
    await changes.body?.cancel()
    await h.app.inject({
      method: 'POST',
      url: `/api/sessions/${sessionId}/cancel`,
      headers: await h.bearer('admin'),
    })
  })

  it('answers errors before the stream starts as ordinary JSON', async () => {
    const sessionId = await submit()
    const other = await fetch(`${h.baseUrl}/api/sessions/${sessionId}/events`, {
      headers: { authorization: `Bearer ${await h.token('otherAdmin')}` },
    })
    expect(other.status).toBe(404)
    expect(other.headers.get('content-type')).toMatch(/^application\/json/)
    expect(((await other.json()) as JsonBody).error.code).toBe('NOT_FOUND')
    const badId = await fetch(`${h.baseUrl}/api/sessions/${sessionId}/events`, {
      headers: { ...(await h.bearer('admin')), 'last-event-id': 'latest' },
    })
    expect(badId.status).toBe(400)
    await h.app.inject({
      method: 'POST',
      url: `/api/sessions/${sessionId}/cancel`,
      headers: await h.bearer('admin'),
    })
  })

  it('tells clients to reconnect when the gateway shuts down, then closes', async () => {
    const sessionId = await submit()
    const stream = await open(sessionId)
    await stream.waitForEvents(1)
    const closing = h.app.close()
    await stream.ended
    await closing
    expect(stream.events.at(-1)).toMatchObject({ event: 'reconnect' })
    expect(JSON.parse(stream.events.at(-1)?.data ?? '{}')).toEqual({ reason: 'shutting_down' })
    await eventually(async () => (await activeUpstreamStreams()) === 0)
  })
})
