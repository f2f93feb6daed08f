import { randomUUID } from 'node:crypto'
import type { Database } from '@psa/db'
import { connectNats, type NatsClients, natsEnvSchema } from '@psa/nats'
import { createTenant, openTestDatabase, silentLogger, type Tenant, testNamespace } from '@psa/test-kit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { EventLog } from './event-log.js'
import { lastStreamSeq, SessionEventWriter, type SessionEventWriterOptions } from './event-writer.js'
import type { SessionEventBody, SessionEventEnvelope } from './events.js'
import { SessionStore } from './session-store.js'
import { deleteTopology, ensureTopology, PipelineTopology, pipelineEnvSchema } from './topology.js'

const logger = silentLogger('event-writer-test')
const topology = new PipelineTopology(pipelineEnvSchema.parse({ PIPELINE_NAMESPACE: testNamespace() }))
let organisationId: string
let userId: string
let nats: NatsClients
let db: Database
let store: SessionStore
let tenant: Tenant

beforeAll(async () => {
  nats = await connectNats({ env: natsEnvSchema.parse({}), name: 'event-writer-test', logger })
  await ensureTopology(nats.jsm, topology)
  db = openTestDatabase()
  store = new SessionStore(db)
  tenant = await createTenant(db, { data: 'users' })
  organisationId = tenant.orgId
  userId = tenant.users.member.id
})

afterAll(async () => {
  await deleteTopology(nats.jsm, topology)
  await nats.close()
  await tenant.drop()
  await db.close()
})

async function newSession(): Promise<string> {
  const id = randomUUID()
  await db.sql`insert into public.agent_sessions (id, organisation_id, user_id, agent_type, request)
    values (${id}, ${organisationId}, ${userId}, 'quotes', 'Quote something')`
  return id
}

function open(
  sessionId: string,
  overrides: Partial<SessionEventWriterOptions> = {},
): Promise<SessionEventWriter> {
  return SessionEventWriter.open({
    js: nats.js,
    jsm: nats.jsm,
    topology,
    log: store.events,
    sessionId,
    organisationId,
    agent: 'quotes',
    attempt: 1,
    logger,
    ...overrides,
  })
}

const reasoning = (text: string): SessionEventBody => ({ type: 'reasoning', data: { text } })

async function streamEvents(sessionId: string): Promise<{ event: SessionEventEnvelope; msgId: string }[]> {
  const last = await lastStreamSeq(nats.jsm, topology, sessionId)
  if (last === 0) return []
  const consumer = await nats.js.consumers.get(topology.eventsStream, {
    filter_subjects: topology.eventSubject(sessionId),
  })
  const out: { event: SessionEventEnvelope; msgId: string }[] = []
  const messages = await consumer.consume()
  for await (const m of messages) {
    out.push({ event: m.json<SessionEventEnvelope>(), msgId: m.headers?.get('Nats-Msg-Id') ?? '' })
    if (m.info.pending === 0) break
  }
  messages.stop()
  return out
}

async function persisted(sessionId: string) {
  return db.asService((tx) =>
    tx
      .selectFrom('agent_logs')
      .select(['seq', 'attempt', 'event_type', 'agent_name', 'message', 'data'])
      .where('session_id', '=', sessionId)
      .orderBy('seq')
      .execute(),
  )
}

describe('SessionEventWriter', () => {
  it('numbers events 1..n and publishes them in call order, each with its <session>:<seq> message id', async () => {
    const sessionId = await newSession()
    const writer = await open(sessionId)
    // Not awaited one by one: emission order alone must decide the sequence.
    const emitted = await Promise.all(
      Array.from({ length: 40 }, (_, i) => writer.emit(reasoning(`step ${i}`))),
    )
    expect(emitted.map((e) => e.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1))
    expect(writer.lastSeq).toBe(40)
    const stored = await streamEvents(sessionId)
    expect(stored.map((s) => s.event.seq)).toEqual(emitted.map((e) => e.seq))
    expect(stored.map((s) => (s.event.data as { text: string }).text)).toEqual(
      emitted.map((_, i) => `step ${i}`),
    )
    expect(stored.map((s) => s.msgId)).toEqual(emitted.map((e) => `${sessionId}:${e.seq}`))
    expect(stored[0]?.event).toMatchObject({ session_id: sessionId, agent: 'quotes', type: 'reasoning' })
    await writer.close()
  })

  it('persists to agent_logs in batches: by size, by time, and on flush', async () => {
    const sessionId = await newSession()
    const writer = await open(sessionId, { maxBatch: 10, flushIntervalMs: 60_000 })
    for (let i = 0; i < 25; i++) await writer.emit(reasoning(`e${i}`))
    // Two full batches went on their own; the remaining five wait for the timer or a flush.
    await expect.poll(async () => (await persisted(sessionId)).length).toBe(20)
    await writer.flush()
    const rows = await persisted(sessionId)
    expect(rows.map((r) => r.seq)).toEqual(Array.from({ length: 25 }, (_, i) => i + 1))
    expect(rows[0]).toMatchObject({
      attempt: 1,
      event_type: 'reasoning',
      agent_name: 'quotes',
      message: 'e0',
    })
    // The stored data is the event itself, as a JSON object.
    expect(rows[3]?.data).toMatchObject({
      session_id: sessionId,
      seq: 4,
      type: 'reasoning',
      data: { text: 'e3' },
    })

    const timed = await open(sessionId, { flushIntervalMs: 50 })
    await timed.emit({
      type: 'status_changed',
      data: { status: 'processing', message: 'Started', queue_position: 0, attempt: 1 },
    })
    await expect.poll(async () => (await persisted(sessionId)).length).toBe(26)
    await timed.close()
    await writer.close()
  })

  it('continues the sequence after a restart, from JetStream or from Postgres, whichever is further', async () => {
    const sessionId = await newSession()
    const first = await open(sessionId, { flushIntervalMs: 60_000 })
    for (let i = 0; i < 3; i++) await first.emit(reasoning(`first ${i}`))
    // The first writer "dies" here: its events are in JetStream only.
    expect(await persisted(sessionId)).toHaveLength(0)
    const second = await open(sessionId, { attempt: 2 })
    expect(second.lastSeq).toBe(3)
    expect((await second.emit(reasoning('second'))).seq).toBe(4)
    await second.close()
    expect((await persisted(sessionId)).map((r) => [r.seq, r.attempt])).toEqual([[4, 2]])

    // Events JetStream no longer holds (aged out) still count: Postgres is ahead here.
    const aged = await newSession()
    await store.events.append(organisationId, 1, [
      {
        session_id: aged,
        seq: 1,
        time: new Date().toISOString(),
        agent: 'quotes',
        type: 'reasoning',
        data: { text: 'a' },
      },
      {
        session_id: aged,
        seq: 2,
        time: new Date().toISOString(),
        agent: 'quotes',
        type: 'reasoning',
        data: { text: 'b' },
      },
    ])
    const third = await open(aged, { attempt: 2 })
    expect(third.lastSeq).toBe(2)
    expect((await third.emit(reasoning('c'))).seq).toBe(3)
    await third.close()
  })

  it('stores a replayed publish and a replayed batch once', async () => {
    const sessionId = await newSession()
    const writer = await open(sessionId)
    const event = await writer.emit(reasoning('once'))
    await writer.close()
    // A publish retried after a lost ack carries the same message id: JetStream de-duplicates it.
    const ack = await nats.js.publish(topology.eventSubject(sessionId), JSON.stringify(event), {
      msgID: `${sessionId}:${event.seq}`,
    })
    expect(ack.duplicate).toBe(true)
    expect(await streamEvents(sessionId)).toHaveLength(1)
    // A batch persisted again after a failed acknowledgement inserts nothing twice.
    await store.events.append(organisationId, 1, [event])
    await store.events.append(organisationId, 1, [event])
    expect(await persisted(sessionId)).toHaveLength(1)
  })

  it('keeps events whose persistence failed and stores them on the next flush', async () => {
    const sessionId = await newSession()
    let failures = 1
    class FlakyLog extends EventLog {
      override async append(...args: Parameters<EventLog['append']>): Promise<void> {
        if (failures-- > 0) throw new Error('database briefly unavailable')
        return super.append(...args)
      }
    }
    const writer = await open(sessionId, { log: new FlakyLog(db), flushIntervalMs: 60_000 })
    await writer.emit(reasoning('a'))
    await writer.emit(reasoning('b'))
    await expect(writer.flush()).rejects.toThrow('database briefly unavailable')
    expect(await persisted(sessionId)).toHaveLength(0)
    await writer.emit(reasoning('c'))
    await writer.flush()
    expect((await persisted(sessionId)).map((r) => r.seq)).toEqual([1, 2, 3])
    await writer.close()
    await expect(writer.emit(reasoning('late'))).rejects.toThrow('closed')
  })

  it('refuses events after the terminal status, so nothing can follow the end of a log', async () => {
    const writer = await open(await newSession())
    await writer.emit({
      type: 'status_changed',
      data: { status: 'completed', message: 'Completed', queue_position: 0, attempt: 1 },
    })
    await expect(writer.emit(reasoning('interrupted'))).rejects.toThrow('has ended')
    await writer.close()
  })

  it('closes only once every event is persisted, even when a timed flush fails while it waits', async () => {
    const sessionId = await newSession()
    let release: () => void = () => {}
    const gate = new Promise<void>((resolve) => {
      release = resolve
    })
    let calls = 0
    class StalledLog extends EventLog {
      override async append(...args: Parameters<EventLog['append']>): Promise<void> {
        calls += 1
        if (calls === 1) {
          await gate
          throw new Error('connection reset')
        }
        return super.append(...args)
      }
    }
    const writer = await open(sessionId, { log: new StalledLog(db), flushIntervalMs: 1 })
    await writer.emit(reasoning('a'))
    await expect.poll(() => calls).toBe(1) // the timed flush holds 'a' and stalls
    const closing = writer.close()
    release()
    await closing
    expect((await persisted(sessionId)).map((r) => r.seq)).toEqual([1])
  })
})
