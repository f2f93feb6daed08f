import {
  AckPolicy,
  type ConsumerMessages,
  DeliverPolicy,
  JetStreamApiError,
  type JetStreamClient,
  type JetStreamManager,
  RetentionPolicy,
  StorageType,
} from '@nats-io/jetstream'
import {
  type PipelineTopology,
  SessionEventWriter,
  type SessionRow,
  type SessionStore,
  workItemSchema,
} from '@psa/agent-pipeline'
import { completeEventLog } from '@psa/agent-runtime'
import { type Logger, withLogContext } from '@psa/config'
import { AGENT_TYPES, type AgentTypeName } from '@psa/proto'
import { z } from 'zod'
import type { OrchestratorMetrics } from './metrics.js'

const ns = (ms: number) => ms * 1_000_000

/** JetStream's `io.nats.jetstream.advisory.v1.max_deliver`. */
const maxDeliverAdvisorySchema = z.object({
  type: z.literal('io.nats.jetstream.advisory.v1.max_deliver'),
  stream: z.string(),
  consumer: z.string(),
  stream_seq: z.number().int().positive(),
  deliveries: z.number().int().nonnegative(),
})
export type MaxDeliverAdvisory = z.infer<typeof maxDeliverAdvisorySchema>

export const DEAD_LETTER_REASON =
  'no worker acknowledged it before its deliveries ran out (workers crashed or timed out)'

export interface DeadLetterDeps {
  js: JetStreamClient
  jsm: JetStreamManager
  topology: PipelineTopology
  store: SessionStore
  logger: Logger
  metrics: OrchestratorMetrics
}

function isNotFound(err: unknown): boolean {
  return (
    err instanceof JetStreamApiError &&
    (err.code === 404 || err.code === 10037 || /not found/i.test(err.message))
  )
}

/**
 * Turns requests that exhausted their deliveries into visible dead letters. JetStream announces each one
 * with a MAX_DELIVERIES advisory (core NATS, at most once); a stream captures those advisories so one that
 * fires while no orchestrator runs is handled after the next start, by exactly one replica. For each: the
 * request message is read by its stream sequence, recorded in agent_dead_letters, its session failed
 * (DEAD_LETTERED) with an `error` and a terminal `status_changed failed` event, and the message deleted from
 * the work queue, where it would otherwise stay forever. Workers dead-letter on their own last delivery
 * too; every step is idempotent, so both paths may run for one request.
 */
export class DeadLetterProcessor {
  readonly streamName: string
  readonly consumerName: string
  #messages: ConsumerMessages | undefined
  #loop: Promise<void> | undefined

  constructor(private readonly deps: DeadLetterDeps) {
    this.streamName = `${deps.topology.namespace.toUpperCase()}_AGENT_DEAD_LETTER_ADVISORIES`
    this.consumerName = `${deps.topology.namespace}_orchestrator_dead_letters`
  }

  /** Creates or updates the advisory stream and its consumer (idempotent, every start). */
  async ensure(): Promise<void> {
    const { jsm, topology } = this.deps
    const stream = {
      name: this.streamName,
      subjects: AGENT_TYPES.map((type) => topology.deadLetterAdvisorySubject(type)),
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.File,
      max_age: ns(7 * 24 * 60 * 60 * 1000),
      num_replicas: 1,
    }
    try {
      await jsm.streams.info(stream.name)
      await jsm.streams.update(stream.name, stream)
    } catch (err) {
      if (!isNotFound(err)) throw err
      await jsm.streams.add(stream).catch((addErr: unknown) => {
        if (!(addErr instanceof JetStreamApiError && /already in use/i.test(addErr.message))) throw addErr
      })
    }
    const consumer = {
      durable_name: this.consumerName,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: ns(60_000),
      // Handling fails only while Postgres or NATS is unreachable: keep retrying (nak delays space it out).
      max_deliver: -1,
    }
    try {
      await jsm.consumers.info(stream.name, consumer.durable_name)
      await jsm.consumers.update(stream.name, consumer.durable_name, consumer)
    } catch (err) {
      if (!isNotFound(err)) throw err
      await jsm.consumers.add(stream.name, consumer)
    }
  }

  /** Starts consuming advisories in the background. */
  async start(): Promise<void> {
    const consumer = await this.deps.js.consumers.get(this.streamName, this.consumerName)
    const messages = await consumer.consume({ max_messages: 16 })
    this.#messages = messages
    this.#loop = (async () => {
      for await (const msg of messages) {
        let advisory: unknown
        try {
          advisory = msg.json()
        } catch {
          advisory = undefined
        }
        try {
          await this.handle(advisory)
          msg.ack()
        } catch (err) {
          this.deps.logger.error(
            { err, deliveries: msg.info.deliveryCount },
            'dead-lettering failed; will retry',
          )
          msg.nak(Math.min(60_000, 1_000 * 2 ** Math.min(msg.info.deliveryCount, 6)))
        }
      }
    })().catch((err: unknown) => this.deps.logger.error({ err }, 'dead-letter consumer stopped'))
  }

  /** Stops taking advisories and waits for the one in hand. */
  async stop(): Promise<void> {
    this.#messages?.stop()
    await this.#loop
    this.#messages = undefined
    this.#loop = undefined
  }

  /** Handles one advisory (exported for tests and for re-running by hand). */
  async handle(raw: unknown): Promise<void> {
    const { jsm, topology, logger } = this.deps
    const parsed = maxDeliverAdvisorySchema.safeParse(raw)
    if (!parsed.success) {
      logger.warn({ issues: parsed.error.issues.slice(0, 3) }, 'ignoring an advisory that is not max_deliver')
      return
    }
    const advisory = parsed.data
    const agentType = AGENT_TYPES.find((t) => topology.consumerName(t) === advisory.consumer)
    if (advisory.stream !== topology.requestsStream || !agentType) {
      logger.warn(
        { stream: advisory.stream, consumer: advisory.consumer },
        'ignoring an advisory of another consumer',
      )
      return
    }
    const stored = await jsm.streams
      .getMessage(topology.requestsStream, { seq: advisory.stream_seq })
      .catch((err) => {
        if (isNotFound(err) || /no message found/i.test((err as Error).message)) return null
        throw err
      })
    if (!stored) {
      // Acked late, or dead-lettered and deleted by its worker already.
      logger.info({ stream_seq: advisory.stream_seq }, 'dead-lettered request is gone from the queue already')
      return
    }
    let body: unknown
    try {
      body = stored.json()
    } catch {
      body = undefined
    }
    const item = workItemSchema.safeParse(body)
    if (!item.success) {
      // Nothing names a session to fail; keeping the message would only block nothing and rot.
      logger.error(
        { stream_seq: advisory.stream_seq, msg_id: stored.header?.get('Nats-Msg-Id') },
        'dead-lettered request is not a valid work item; deleting it',
      )
      await this.#deleteRequest(advisory.stream_seq)
      return
    }
    await withLogContext({ session_id: item.data.session_id }, async () => {
      await this.deadLetterSession(item.data, agentType, advisory.deliveries)
      await this.#deleteRequest(advisory.stream_seq)
    })
  }

  /** Records the dead letter and fails the session with its events, unless it finished meanwhile. */
  async deadLetterSession(
    item: z.infer<typeof workItemSchema>,
    agentType: AgentTypeName,
    deliveries: number,
  ): Promise<void> {
    const { store, logger, metrics } = this.deps
    const before = await this.#session(item.session_id)
    if (!before) {
      logger.warn('dead-lettered request names no session; deleting it')
      return
    }
    if (before.status === 'completed' || before.status === 'cancelled') {
      logger.info({ status: before.status }, 'dead-lettered request finished meanwhile; nothing to fail')
      return
    }
    const outcome = await store.attempts.deadLetter({
      sessionId: item.session_id,
      organisationId: item.organisation_id,
      agentType,
      payload: item,
      reason: DEAD_LETTER_REASON,
      deliveries,
    })
    if (outcome.recorded) metrics.deadLetters.inc({ agent_type: agentType })
    const after = await this.#session(item.session_id)
    if (after?.status !== 'failed') return
    // We failed it now, or an earlier try (or the worker) did and may have stopped before its events: the
    // log gets whatever of the failure's last events it lacks, from the row.
    const written = await completeEventLog(this.deps, after, (session, attempt) =>
      SessionEventWriter.open({
        js: this.deps.js,
        jsm: this.deps.jsm,
        topology: this.deps.topology,
        log: store.events,
        sessionId: session.id,
        organisationId: session.organisation_id,
        agent: session.agent_type,
        attempt,
        logger,
      }),
    )
    if (written > 0)
      logger.warn({ agent_type: agentType, deliveries }, 'request dead-lettered; session failed')
  }

  async #session(sessionId: string): Promise<SessionRow | undefined> {
    // A service read: the dead letter belongs to no caller.
    return this.deps.store.db.asService((tx) =>
      tx.selectFrom('agent_sessions').selectAll().where('id', '=', sessionId).executeTakeFirst(),
    )
  }

  async #deleteRequest(streamSeq: number): Promise<void> {
    await this.deps.jsm.streams
      .deleteMessage(this.deps.topology.requestsStream, streamSeq, false)
      .catch((err) => {
        if (!isNotFound(err) && !/no message found/i.test((err as Error).message)) throw err
      })
  }

  /** Removes the advisory stream (tests and namespace teardown only). */
  async deleteStream(): Promise<void> {
    await this.deps.jsm.streams.delete(this.streamName).catch((err: unknown) => {
      if (!isNotFound(err)) throw err
    })
  }
}
