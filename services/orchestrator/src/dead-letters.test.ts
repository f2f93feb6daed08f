import { lastStreamSeq, type SessionEventEnvelope, workItemSchema } from '@psa/agent-pipeline'
import { type AgentResponse, SessionStatus } from '@psa/proto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEAD_LETTER_REASON } from './dead-letters.js'
import { readJetStreamEvents } from './jetstream-events.js'
import { type Harness, startHarness } from './testing/harness.js'

let h: Harness

// Two deliveries, each abandoned after 1 s: a request nobody acks is dead-lettered within seconds.
beforeAll(async () => {
  h = await startHarness('dlq', {
    PIPELINE_MAX_DELIVER: '2',
    PIPELINE_ACK_WAIT_MS: '1000',
    MAX_IN_FLIGHT_PER_USER: '50',
  })
})
afterAll(async () => {
  await h?.close()
})

const deadLetters = (sessionId: string) =>
  h.database.db.asService((tx) =>
    tx.selectFrom('agent_dead_letters').selectAll().where('session_id', '=', sessionId).execute(),
  )

async function events(sessionId: string): Promise<SessionEventEnvelope[]> {
  const { js, jsm } = h.orchestrator.nats
  const { topology } = h.orchestrator
  const untilSeq = await lastStreamSeq(jsm, topology, sessionId)
  return readJetStreamEvents({ js, topology, sessionId, afterSeq: 0, untilSeq, logger: h.logger })
}

const requestsInQueue = async () =>
  (await h.orchestrator.nats.jsm.streams.info(h.orchestrator.topology.requestsStream)).state.messages

/** A worker that takes the request and dies without acking, on every delivery. */
async function abandonEveryDelivery(type: 'quotes' | 'resourcing', sessionId: string): Promise<number> {
  let deliveries = 0
  for (let i = 0; i < 2; i++) {
    const msg = await h.fetchWork(type, 5_000)
    expect(workItemSchema.parse(msg?.json()).session_id).toBe(sessionId)
    expect(msg?.info.deliveryCount).toBe(i + 1)
    if (i === 0) await h.orchestrator.store.attempts.start(sessionId)
    deliveries++
  }
  // JetStream notices the exhausted request when it next tries to deliver: to a worker's pull request.
  expect(await h.fetchWork(type, 3_000)).toBeUndefined()
  return deliveries
}

describe('dead letters', () => {
  it('records a request that exhausted its deliveries, fails its session with events, and removes it', async () => {
    const id = await h.submit(h.tenants.alice, { agentType: 'quotes' })
    const stream = h.collect(await h.stream({ sessionId: id }, h.tenants.alice))
    expect(await abandonEveryDelivery('quotes', id)).toBe(2)

    await expect.poll(() => deadLetters(id), { timeout: 10_000, interval: 100 }).toHaveLength(1)
    const [letter] = await deadLetters(id)
    expect(letter).toMatchObject({
      organisation_id: h.tenants.orgA,
      agent_type: 'quotes',
      deliveries: 2,
      reason: DEAD_LETTER_REASON,
      payload: { session_id: id, agent_type: 'quotes', user_id: h.tenants.alice.id },
    })
    await expect.poll(async () => (await events(id)).length, { timeout: 5_000 }).toBe(3)
    const session = await h.call<AgentResponse>('getSession', { sessionId: id }, h.tenants.alice)
    expect(session.status).toBe(SessionStatus.SESSION_STATUS_FAILED)
    expect(session.errorCode).toBe('DEAD_LETTERED')
    expect(session.error).toMatch(/after 2 attempts/)

    const written = await events(id)
    expect(written.map((e) => [e.seq, e.type])).toEqual([
      [1, 'status_changed'],
      [2, 'error'],
      [3, 'status_changed'],
    ])
    expect(written[1]).toMatchObject({ data: { code: 'DEAD_LETTERED', retryable: false } })
    expect(written[2]).toMatchObject({ data: { status: 'failed' } })
    // The client following the session saw it end.
    expect((await stream).map((e) => e.seq)).toEqual([1, 2, 3])
    // Nothing lingers in the work queue, and the advisory was consumed.
    await expect.poll(requestsInQueue).toBe(0)
    const advisories = await h.orchestrator.nats.jsm.streams.info(h.orchestrator.deadLetters.streamName)
    expect(advisories.state.messages).toBe(0)
    expect(await h.orchestrator.metrics.deadLetters.get()).toMatchObject({
      values: [{ labels: { agent_type: 'quotes' }, value: 1 }],
    })
  })

  it('handles a repeated advisory, and one for a request its worker dead-lettered, without doing anything twice', async () => {
    const id = await h.submit(h.tenants.bob, { agentType: 'resourcing' })
    const msg = await h.fetchWork('resourcing')
    const started = await h.orchestrator.store.attempts.start(id)
    if (started.kind !== 'started') throw new Error('not started')
    const item = workItemSchema.parse(msg?.json())
    const streamSeq = msg?.seq as number
    // The worker's own last-delivery path: record, fail, write its events.
    await h.orchestrator.deadLetters.deadLetterSession(item, 'resourcing', 2)
    const before = await events(id)
    expect(before.map((e) => e.type)).toEqual(['status_changed', 'error', 'status_changed'])

    const advisory = {
      type: 'io.nats.jetstream.advisory.v1.max_deliver',
      stream: h.orchestrator.topology.requestsStream,
      consumer: h.orchestrator.topology.consumerName('resourcing'),
      stream_seq: streamSeq,
      deliveries: 2,
    }
    await h.orchestrator.deadLetters.handle(advisory)
    await h.orchestrator.deadLetters.handle(advisory)
    expect(await deadLetters(id)).toHaveLength(1)
    expect((await events(id)).map((e) => e.seq)).toEqual(before.map((e) => e.seq))
    await expect.poll(requestsInQueue).toBe(0)
    // Advisories of other streams or consumers, and garbage, are ignored.
    await h.orchestrator.deadLetters.handle({ ...advisory, consumer: 'someone_else' })
    await h.orchestrator.deadLetters.handle({ hello: 'world' })
    await h.orchestrator.deadLetters.handle(undefined)
  })

  it('writes the missing events when an earlier try failed the session but stopped before them', async () => {
    const id = await h.submit(h.tenants.carol, { agentType: 'resourcing' })
    const msg = await h.fetchWork('resourcing')
    const item = workItemSchema.parse(msg?.json())
    await h.orchestrator.store.attempts.deadLetter({
      sessionId: id,
      organisationId: item.organisation_id,
      agentType: 'resourcing',
      payload: item,
      reason: DEAD_LETTER_REASON,
      deliveries: 2,
    })
    await h.orchestrator.deadLetters.deadLetterSession(item, 'resourcing', 2)
    expect((await events(id)).map((e) => e.type)).toEqual(['status_changed', 'error', 'status_changed'])
    msg?.ack()
  })

  it('leaves a session that finished meanwhile alone', async () => {
    const id = await h.submit(h.tenants.carol, { agentType: 'resourcing' })
    const msg = await h.fetchWork('resourcing')
    await h.orchestrator.store.attempts.start(id)
    await h.orchestrator.store.attempts.complete(id, 1, {
      result: {},
      agentsInvolved: [],
      processingTimeMs: 1,
      inputTokens: 0,
      outputTokens: 0,
    })
    await h.orchestrator.deadLetters.deadLetterSession(workItemSchema.parse(msg?.json()), 'resourcing', 2)
    expect(await deadLetters(id)).toHaveLength(0)
    expect(
      (await h.orchestrator.store.get({ sub: h.tenants.carol.id, role: 'authenticated' }, id)).status,
    ).toBe('completed')
    msg?.ack()
  })

  it('handles advisories that fired while no orchestrator was running, after the next start', async () => {
    await h.orchestrator.deadLetters.stop()
    const id = await h.submit(h.tenants.bob, { agentType: 'quotes' })
    await abandonEveryDelivery('quotes', id)
    // JetStream's advisory lands in the capture stream even with nobody listening.
    await expect
      .poll(
        async () =>
          (await h.orchestrator.nats.jsm.streams.info(h.orchestrator.deadLetters.streamName)).state.messages,
        { timeout: 10_000, interval: 100 },
      )
      .toBe(1)
    expect(await deadLetters(id)).toHaveLength(0)
    await h.orchestrator.deadLetters.start()
    await expect.poll(() => deadLetters(id), { timeout: 10_000, interval: 100 }).toHaveLength(1)
    await expect.poll(requestsInQueue).toBe(0)
  })
})
