import { randomBytes } from 'node:crypto'
import { AckPolicy, DeliverPolicy, DiscardPolicy, RetentionPolicy, StorageType } from '@nats-io/jetstream'
import { createLogger } from '@psa/config'
import { connectNats, type NatsClients } from '@psa/nats'
import { AGENT_TYPES } from '@psa/proto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deleteTopology, ensureTopology, PipelineTopology, pipelineEnvSchema } from './topology.js'

const ms = (n: number) => n * 1_000_000
const namespace = `t_topo_${randomBytes(4).toString('hex')}`
const env = pipelineEnvSchema.parse({
  PIPELINE_NAMESPACE: namespace,
  PIPELINE_ACK_WAIT_MS: '2000',
  PIPELINE_MAX_DELIVER: '4',
  PIPELINE_EVENTS_MAX_AGE_MS: '3600000',
})
const topology = new PipelineTopology(env)
let nats: NatsClients

beforeAll(async () => {
  nats = await connectNats({
    env: { NATS_URL: process.env.NATS_URL ?? 'nats://127.0.0.1:4222' },
    name: 'topology-test',
    logger: createLogger({ service: 'topology-test', level: 'silent' }),
  })
})
afterAll(async () => {
  await deleteTopology(nats.jsm, topology)
  await nats.close()
})

describe('PipelineTopology names', () => {
  it('derives every stream, subject and consumer from the namespace', () => {
    const upper = namespace.toUpperCase()
    expect(topology.requestsStream).toBe(`${upper}_AGENT_REQUESTS`)
    expect(topology.eventsStream).toBe(`${upper}_SESSION_EVENTS`)
    expect(topology.requestSubject('quotes')).toBe(`${namespace}.agent.requests.quotes`)
    expect(topology.consumerName('resourcing')).toBe(`${namespace}_agent_resourcing`)
    expect(topology.eventSubject('abc')).toBe(`${namespace}.session.events.abc`)
    expect(topology.allEventsSubject).toBe(`${namespace}.session.events.*`)
    expect(topology.cancelSubject).toBe(`${namespace}.agent.control.cancel`)
    expect(topology.deadLetterAdvisorySubject('quotes')).toBe(
      `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${upper}_AGENT_REQUESTS.${namespace}_agent_quotes`,
    )
  })

  it('spaces redeliveries out with fewer backoff entries than deliveries, starting at the ack wait', () => {
    expect(topology.backoffMs).toEqual([2000, 4000, 8000])
    const two = new PipelineTopology(
      pipelineEnvSchema.parse({ PIPELINE_MAX_DELIVER: '2', PIPELINE_ACK_WAIT_MS: '300' }),
    )
    expect(two.backoffMs).toEqual([300])
    const many = new PipelineTopology(
      pipelineEnvSchema.parse({ PIPELINE_MAX_DELIVER: '8', PIPELINE_ACK_WAIT_MS: '1000' }),
    )
    // Doubling stops at 16x the ack wait.
    expect(many.backoffMs).toEqual([1000, 2000, 4000, 8000, 16000, 16000, 16000])
  })

  it('refuses namespaces that cannot be stream and subject names', () => {
    for (const bad of ['Upper', '1abc', 'has-dash', 'dots.in', 'x'.repeat(32), '']) {
      expect(pipelineEnvSchema.safeParse({ PIPELINE_NAMESPACE: bad }).success, bad).toBe(false)
    }
    expect(pipelineEnvSchema.parse({}).PIPELINE_NAMESPACE).toBe('psa')
    expect(pipelineEnvSchema.safeParse({ PIPELINE_MAX_DELIVER: '1' }).success).toBe(false)
  })
})

describe('ensureTopology', () => {
  it('creates the streams and one durable consumer per agent type, and is idempotent', async () => {
    await ensureTopology(nats.jsm, topology)
    await ensureTopology(nats.jsm, topology)

    const requests = await nats.jsm.streams.info(topology.requestsStream)
    expect(requests.config).toMatchObject({
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.File,
      discard: DiscardPolicy.New,
      duplicate_window: ms(120_000),
      max_msg_size: 1024 * 1024,
    })
    expect([...(requests.config.subjects ?? [])].sort()).toEqual(
      AGENT_TYPES.map((t) => topology.requestSubject(t)).sort(),
    )

    const events = await nats.jsm.streams.info(topology.eventsStream)
    expect(events.config).toMatchObject({
      retention: RetentionPolicy.Limits,
      subjects: [topology.allEventsSubject],
      discard: DiscardPolicy.Old,
      max_age: ms(3_600_000),
      max_msgs_per_subject: 100_000,
    })

    const consumers: string[] = []
    for await (const c of nats.jsm.consumers.list(topology.requestsStream)) consumers.push(c.name)
    expect(consumers.sort()).toEqual(AGENT_TYPES.map((t) => topology.consumerName(t)).sort())
    for (const type of AGENT_TYPES) {
      const info = await nats.jsm.consumers.info(topology.requestsStream, topology.consumerName(type))
      expect(info.config, type).toMatchObject({
        durable_name: topology.consumerName(type),
        filter_subject: topology.requestSubject(type),
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        max_deliver: 4,
        backoff: [ms(2000), ms(4000), ms(8000)],
      })
    }
  })

  it('applies a changed configuration to what exists, keeping queued messages', async () => {
    await ensureTopology(nats.jsm, topology)
    await nats.js.publish(topology.requestSubject('quotes'), '{}', { msgID: 'keep-me' })
    const changed = new PipelineTopology({
      ...env,
      PIPELINE_MAX_DELIVER: 6,
      PIPELINE_EVENTS_MAX_AGE_MS: 7_200_000,
    })
    await ensureTopology(nats.jsm, changed)
    const info = await nats.jsm.consumers.info(topology.requestsStream, topology.consumerName('quotes'))
    expect(info.config.max_deliver).toBe(6)
    expect(info.config.backoff).toHaveLength(5)
    expect(info.num_pending).toBe(1)
    expect((await nats.jsm.streams.info(topology.eventsStream)).config.max_age).toBe(ms(7_200_000))
    // A work-queue stream refuses a second consumer on a subject that already has one.
    await expect(
      nats.jsm.consumers.add(topology.requestsStream, {
        durable_name: 'intruder',
        filter_subject: topology.requestSubject('quotes'),
        ack_policy: AckPolicy.Explicit,
      }),
    ).rejects.toThrow()
  })

  it('de-duplicates a retried publish by message id', async () => {
    await ensureTopology(nats.jsm, topology)
    const first = await nats.js.publish(topology.requestSubject('resourcing'), '{"n":1}', {
      msgID: 'session-1',
    })
    const retry = await nats.js.publish(topology.requestSubject('resourcing'), '{"n":1}', {
      msgID: 'session-1',
    })
    expect(first.duplicate).toBe(false)
    expect(retry.duplicate).toBe(true)
    expect(retry.seq).toBe(first.seq)
  })
})

describe('deleteTopology', () => {
  it('removes both streams (and with them the consumers), and tolerates a second call', async () => {
    const other = new PipelineTopology(pipelineEnvSchema.parse({ PIPELINE_NAMESPACE: `${namespace}_x` }))
    await ensureTopology(nats.jsm, other)
    await deleteTopology(nats.jsm, other)
    await deleteTopology(nats.jsm, other)
    const names: string[] = []
    for await (const name of nats.jsm.streams.names()) names.push(name)
    expect(names).not.toContain(other.requestsStream)
    expect(names).not.toContain(other.eventsStream)
    expect(names).toContain(topology.requestsStream)
  })
})
