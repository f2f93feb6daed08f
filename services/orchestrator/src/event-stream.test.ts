import { status } from '@grpc/grpc-js'
import {
  fromProtoEvent,
  type SessionEventBody,
  type SessionEventEnvelope,
  workItemSchema,
} from '@psa/agent-pipeline'
import type { AgentTypeName, SessionEvent } from '@psa/proto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { LiveEventListener, SessionEventHub } from './event-hub.js'
import { streamSessionEvents } from './event-stream.js'
import type { TestUser } from './testing/harness.js'
import { type Harness, startHarness } from './testing/harness.js'

let h: Harness

beforeAll(async () => {
  h = await startHarness(
    'evt',
    // One user opens 20 streams of one session below.
    { MAX_IN_FLIGHT_PER_USER: '50', MAX_STREAMS_PER_USER: '64' },
    { streams: { statusPollMs: 300, finishedGraceMs: 300 } },
  )
})
afterAll(async () => {
  await h?.close()
})

const processing = (attempt = 1): SessionEventBody => ({
  type: 'status_changed',
  data: { status: 'processing', message: '', queue_position: 0, attempt },
})
const reasoning = (text: string): SessionEventBody => ({ type: 'reasoning', data: { text } })
const completed: SessionEventBody = {
  type: 'status_changed',
  data: { status: 'completed', message: 'Done', queue_position: 0, attempt: 1 },
}
const finalResult: SessionEventBody = {
  type: 'final_result',
  data: {
    result: { phases: 3 },
    text: 'Planned 3 phases',
    usage: { input_tokens: 10, output_tokens: 20, total_tokens: 30 },
    agents_involved: ['project_management'],
    processing_time_ms: 12,
  },
}

/** Takes the session's request off the queue, acking requests of finished sessions on the way (as workers do). */
async function takeWork(sessionId: string, type: AgentTypeName) {
  for (;;) {
    const msg = await h.fetchWork(type)
    if (!msg) throw new Error(`no request for ${sessionId}`)
    const item = workItemSchema.parse(msg.json())
    if (item.session_id === sessionId) return msg
    const row = await h.orchestrator.store.attempts.start(item.session_id)
    if (row.kind !== 'finished') throw new Error(`unexpected queued request ${item.session_id}`)
    msg.ack()
  }
}

/** A worker's whole run: take the request, start the attempt, write events, finish, ack. */
async function runWorker(
  sessionId: string,
  type: AgentTypeName,
  bodies: SessionEventBody[],
  options: { flushIntervalMs?: number } = {},
) {
  const msg = await takeWork(sessionId, type)
  const started = await h.orchestrator.store.attempts.start(sessionId)
  if (started.kind !== 'started') throw new Error(`not started: ${started.kind}`)
  const writer = await h.workerWriter(sessionId, started.attempt, options.flushIntervalMs)
  for (const body of bodies) await writer.emit(body)
  return {
    writer,
    finish: async () => {
      await h.orchestrator.store.attempts.complete(sessionId, started.attempt, {
        result: { phases: 3 },
        agentsInvolved: ['project_management'],
        processingTimeMs: 12,
        inputTokens: 10,
        outputTokens: 20,
      })
      await writer.close()
      msg?.ack()
    },
  }
}

const seqs = (events: SessionEvent[]) => events.map((e) => e.seq)

async function finishedSession(user: TestUser, reasoningSteps = 4): Promise<{ id: string; last: number }> {
  const id = await h.submit(user)
  const run = await runWorker(id, 'project_management', [
    processing(),
    ...Array.from({ length: reasoningSteps }, (_, i) => reasoning(`thinking ${i}`)),
    finalResult,
    completed,
  ])
  await run.finish()
  return { id, last: reasoningSteps + 4 }
}

describe('StreamSessionEvents', () => {
  it('replays a finished session from 0 in order and ends at the terminal event', async () => {
    const { id, last } = await finishedSession(h.tenants.alice)
    const events = await h.collect(await h.stream({ sessionId: id }, h.tenants.alice))
    expect(seqs(events)).toEqual(Array.from({ length: last }, (_, i) => i + 1))
    const json = events.map(fromProtoEvent)
    expect(json[0]).toMatchObject({ type: 'status_changed', data: { status: 'queued', queue_position: 1 } })
    expect(json[1]).toMatchObject({ type: 'status_changed', data: { status: 'processing', attempt: 1 } })
    expect(json.at(-2)).toMatchObject({ type: 'final_result', data: { text: 'Planned 3 phases' } })
    expect(json.at(-1)).toMatchObject({ type: 'status_changed', data: { status: 'completed' } })
    // Another organisation's member sees the user's colleagues' sessions, never other tenants'.
    const colleague = await h.collect(await h.stream({ sessionId: id }, h.tenants.bob))
    expect(seqs(colleague)).toEqual(seqs(events))
  })

  it('resumes after N with exactly N+1.., and ends at once when nothing is left', async () => {
    const { id, last } = await finishedSession(h.tenants.alice)
    const resumed = await h.collect(await h.stream({ sessionId: id, afterSeq: 4 }, h.tenants.alice))
    expect(seqs(resumed)).toEqual(Array.from({ length: last - 4 }, (_, i) => i + 5))
    const started = performance.now()
    const nothing = await h.collect(await h.stream({ sessionId: id, afterSeq: last }, h.tenants.alice))
    expect(nothing).toEqual([])
    // No grace period: the stored terminal event says the session is over.
    expect(performance.now() - started).toBeLessThan(250)
  })

  it('follows live events without gaps or repeats and ends after the terminal one', async () => {
    const id = await h.submit(h.tenants.bob)
    const stream = await h.stream({ sessionId: id }, h.tenants.bob)
    const arrivals: { event: SessionEvent; at: number }[] = []
    stream.on('data', (event: SessionEvent) => arrivals.push({ event, at: Date.now() }))
    const ended = new Promise<void>((resolve, reject) => {
      stream.on('end', resolve)
      stream.on('error', reject)
    })
    await expect.poll(() => arrivals.length).toBe(1)
    const run = await runWorker(id, 'project_management', [processing()])
    for (let i = 0; i < 300; i++) await run.writer.emit(reasoning(`chunk ${i} `))
    await run.writer.emit(finalResult)
    await run.writer.emit(completed)
    await run.finish()
    await ended
    expect(seqs(arrivals.map((a) => a.event))).toEqual(Array.from({ length: 304 }, (_, i) => i + 1))
    const lags = arrivals
      .slice(1)
      .map((a) => a.at - (a.event.time as Date).getTime())
      .sort((a, b) => a - b)
    const pct = (p: number) => lags[Math.min(lags.length - 1, Math.floor((p / 100) * lags.length))] as number
    console.log(
      `event publish -> stream client latency over ${lags.length} events: p50 ${pct(50)} ms, p99 ${pct(99)} ms, max ${pct(100)} ms`,
    )
    expect(pct(99)).toBeLessThan(250)
    expect(h.orchestrator.hub.listenerCount).toBe(0)
  })

  it('replays from Postgres what JetStream no longer holds', async () => {
    const { id, last } = await finishedSession(h.tenants.carol)
    await h.orchestrator.nats.jsm.streams.purge(h.orchestrator.topology.eventsStream, {
      filter: h.orchestrator.topology.eventSubject(id),
    })
    const events = await h.collect(await h.stream({ sessionId: id, afterSeq: 2 }, h.tenants.carol))
    expect(seqs(events)).toEqual(Array.from({ length: last - 2 }, (_, i) => i + 3))
  })

  it('replays the JetStream tail that Postgres has not caught up with, then continues live', async () => {
    const id = await h.submit(h.tenants.carol)
    const run = await runWorker(id, 'project_management', [processing(), reasoning('a'), reasoning('b')], {
      flushIntervalMs: 60_000,
    })
    expect(await h.orchestrator.store.events.lastSeq(id)).toBe(1)
    const stream = await h.stream({ sessionId: id, afterSeq: 0 }, h.tenants.carol)
    const collected = h.collect(stream)
    await new Promise((r) => setTimeout(r, 100))
    await run.writer.emit(finalResult)
    await run.writer.emit(completed)
    await run.finish()
    expect(seqs(await collected)).toEqual([1, 2, 3, 4, 5, 6])
  })

  it('ends the stream of a session that finished without a terminal event', async () => {
    const id = await h.submit(h.tenants.carol)
    const msg = await takeWork(id, 'project_management')
    await h.orchestrator.store.attempts.start(id)
    await h.orchestrator.store.attempts.fail(id, 1, { code: 'WORKER_CRASHED', message: 'gone' })
    msg?.ack()
    const events = await h.collect(await h.stream({ sessionId: id }, h.tenants.carol))
    expect(seqs(events)).toEqual([1])
    // And for a client that was following when it happened.
    const other = await h.submit(h.tenants.carol)
    const following = h.collect(await h.stream({ sessionId: other }, h.tenants.carol))
    await new Promise((r) => setTimeout(r, 100))
    const work = await takeWork(other, 'project_management')
    await h.orchestrator.store.attempts.start(other)
    await h.orchestrator.store.attempts.fail(other, 1, { code: 'WORKER_CRASHED', message: 'gone' })
    work?.ack()
    expect(seqs(await following)).toEqual([1])
  })

  it('serves many clients of one session from the one subscription', async () => {
    const id = await h.submit(h.tenants.alice)
    const clients = await Promise.all(
      Array.from({ length: 20 }, () => h.stream({ sessionId: id }, h.tenants.alice)),
    )
    const results = clients.map((c) => h.collect(c))
    await expect.poll(() => h.orchestrator.hub.listenerCount).toBe(20)
    const run = await runWorker(id, 'project_management', [
      processing(),
      reasoning('x'),
      finalResult,
      completed,
    ])
    await run.finish()
    for (const events of await Promise.all(results)) expect(seqs(events)).toEqual([1, 2, 3, 4, 5])
    expect(h.orchestrator.hub.listenerCount).toBe(0)
  })

  it('honours the deadline and the client cancelling, and cleans up after both', async () => {
    const id = await h.submit(h.tenants.alice)
    const timed = await h.stream({ sessionId: id }, h.tenants.alice, { deadline: Date.now() + 400 })
    await expect(h.collect(timed)).rejects.toMatchObject({ code: status.DEADLINE_EXCEEDED })
    await expect.poll(() => h.orchestrator.hub.listenerCount).toBe(0)

    const cancelled = await h.stream({ sessionId: id }, h.tenants.alice)
    const result = h.collect(cancelled)
    await expect.poll(() => h.orchestrator.hub.listenerCount).toBe(1)
    cancelled.cancel()
    await expect(result).rejects.toMatchObject({ code: status.CANCELLED })
    await expect.poll(() => h.orchestrator.hub.listenerCount).toBe(0)
    await h.call('cancelSession', { sessionId: id }, h.tenants.alice)
  })

  it('validates its request', async () => {
    const bad = await h.stream({ sessionId: 'nope', afterSeq: -1 }, h.tenants.alice)
    await expect(h.collect(bad)).rejects.toMatchObject({ code: status.INVALID_ARGUMENT })
    const anonymous = h.client.streamSessionEvents({ sessionId: crypto.randomUUID(), afterSeq: 0 })
    await expect(h.collect(anonymous)).rejects.toMatchObject({ code: status.UNAUTHENTICATED })
  })
})

describe('gap handling', () => {
  /** A hub whose live deliveries the test decides, in front of the real stores. */
  function controlledHub() {
    const listeners = new Set<LiveEventListener>()
    const hub = {
      subscribe: (_sessionId: string, listener: LiveEventListener) => {
        listeners.add(listener)
        return () => listeners.delete(listener)
      },
      // What the live path lost, its recent memory lacks too (the same subscription).
      recentEvents: () => [],
    } as unknown as SessionEventHub
    const deliver = (event: SessionEventEnvelope) => {
      for (const listener of listeners) listener(event)
    }
    return { hub, deliver, listeners }
  }

  const envelope = (sessionId: string, seq: number, body: SessionEventBody): SessionEventEnvelope =>
    ({
      session_id: sessionId,
      seq,
      time: new Date().toISOString(),
      agent: 'project_management',
      ...body,
    }) as SessionEventEnvelope

  it('fills what the live path dropped from JetStream and skips numbers no store has', async () => {
    const id = await h.submit(h.tenants.bob)
    const row = await h.orchestrator.store.get({ sub: h.tenants.bob.id, role: 'authenticated' }, id)
    const { js, jsm } = h.orchestrator.nats
    const { topology, store } = h.orchestrator
    const publish = (event: SessionEventEnvelope) =>
      js.publish(topology.eventSubject(id), JSON.stringify(event), { msgID: `${id}:${event.seq}` })
    const { hub, deliver, listeners } = controlledHub()
    const written: number[] = []
    const controller = new AbortController()
    const done = streamSessionEvents(
      { hub, js, jsm, topology, store, logger: h.logger, statusPollMs: 60_000 },
      {
        session: row,
        afterSeq: 0,
        signal: controller.signal,
        reload: async () => row,
        write: async (event) => void written.push(event.seq),
      },
    )
    await expect.poll(() => written).toEqual([1])
    // 2 and 3 reach JetStream, but the live path loses them; 4 arrives live.
    const e2 = envelope(id, 2, processing())
    const e3 = envelope(id, 3, reasoning('lost live'))
    const e4 = envelope(id, 4, reasoning('live'))
    for (const e of [e2, e3, e4]) await publish(e)
    deliver(e4)
    await expect.poll(() => written).toEqual([1, 2, 3, 4])
    // 5 never reached any store (its publish failed); 6 arrives live and the stream moves on.
    const e6 = envelope(id, 6, finalResult)
    await publish(e6)
    deliver(e6)
    await expect.poll(() => written).toEqual([1, 2, 3, 4, 6])
    // Duplicates (a retried publish seen twice live) are dropped; the terminal event ends the stream.
    deliver(e4)
    deliver(e6)
    const e7 = envelope(id, 7, completed)
    await publish(e7)
    deliver(e7)
    expect(await done).toBe('terminal')
    expect(written).toEqual([1, 2, 3, 4, 6, 7])
    expect(listeners.size).toBe(0)
    controller.abort()
  })
})
