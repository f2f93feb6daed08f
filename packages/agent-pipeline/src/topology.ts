import {
  AckPolicy,
  type ConsumerConfig,
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiError,
  type JetStreamManager,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from '@nats-io/jetstream'
import { envVars } from '@psa/config'
import { AGENT_TYPES, type AgentTypeName } from '@psa/proto'
import { z } from 'zod'

const ms = (n: number) => n * 1_000_000 // JetStream durations are nanoseconds

/** Pipeline settings shared by the orchestrator and the workers (they must agree on names and limits). */
export const pipelineEnvSchema = z.object({
  /**
   * Prefix of every stream, subject and consumer name, so several independent pipelines (tests, or two
   * environments sharing one NATS account) never see each other's messages.
   */
  PIPELINE_NAMESPACE: z
    .string()
    .regex(/^[a-z][a-z0-9_]{0,30}$/, 'lowercase letters, digits and _ (max 31), starting with a letter')
    .default('psa'),
  /** A delivery not acked (or marked in progress) within this window is redelivered. */
  PIPELINE_ACK_WAIT_MS: envVars.durationMs(30_000),
  /** Deliveries of one request before it is dead-lettered and its session failed. */
  PIPELINE_MAX_DELIVER: z.coerce.number().int().min(2).max(100).default(5),
  /** How long session events stay replayable from JetStream (Postgres keeps them for good). */
  PIPELINE_EVENTS_MAX_AGE_MS: envVars.durationMs(24 * 60 * 60 * 1000),
  /** Copies JetStream keeps of each stream: 1 on a single server, 3 on a three-node cluster. */
  PIPELINE_STREAM_REPLICAS: z.coerce.number().int().min(1).max(5).default(1),
})
export type PipelineEnv = z.infer<typeof pipelineEnvSchema>

/** Every name the pipeline uses on NATS, derived from one namespace. */
export class PipelineTopology {
  readonly namespace: string
  readonly requestsStream: string
  readonly eventsStream: string
  readonly deadLetterAdvisoryPrefix: string

  constructor(readonly env: PipelineEnv) {
    this.namespace = env.PIPELINE_NAMESPACE
    const upper = this.namespace.toUpperCase()
    this.requestsStream = `${upper}_AGENT_REQUESTS`
    this.eventsStream = `${upper}_SESSION_EVENTS`
    this.deadLetterAdvisoryPrefix = `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${this.requestsStream}`
  }

  /** Work for one agent type: `<ns>.agent.requests.<type>`. */
  requestSubject(type: AgentTypeName): string {
    return `${this.namespace}.agent.requests.${type}`
  }

  /** The durable pull consumer of one agent type's workers. */
  consumerName(type: AgentTypeName): string {
    return `${this.namespace}_agent_${type}`
  }

  /** Events of one session: `<ns>.session.events.<session id>`. */
  eventSubject(sessionId: string): string {
    return `${this.namespace}.session.events.${sessionId}`
  }

  /** Wildcard over every session's events, for processes that fan events out to many clients. */
  get allEventsSubject(): string {
    return `${this.namespace}.session.events.*`
  }

  /** Core NATS broadcast telling whichever worker runs a session to abort it. */
  get cancelSubject(): string {
    return `${this.namespace}.agent.control.cancel`
  }

  /** Advisory subject JetStream publishes when a request exhausted its deliveries. */
  deadLetterAdvisorySubject(type: AgentTypeName): string {
    return `${this.deadLetterAdvisoryPrefix}.${this.consumerName(type)}`
  }

  /**
   * Redelivery schedule: the first entry is the ack wait (JetStream uses BackOff[0] as the ack wait), later
   * ones space out retries of a request whose worker died or timed out.
   */
  get backoffMs(): number[] {
    const first = this.env.PIPELINE_ACK_WAIT_MS
    // JetStream requires fewer backoff entries than deliveries; the last entry repeats.
    const entries = Math.max(1, this.env.PIPELINE_MAX_DELIVER - 1)
    return Array.from({ length: entries }, (_, i) => first * 2 ** Math.min(i, 4))
  }

  requestsStreamConfig(): Partial<StreamConfig> & { name: string } {
    return {
      name: this.requestsStream,
      subjects: AGENT_TYPES.map((t) => this.requestSubject(t)),
      // Work-queue retention: a request is removed once acked, and each subject has exactly one consumer.
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.File,
      discard: DiscardPolicy.New,
      max_msgs: 1_000_000,
      max_msg_size: 1024 * 1024,
      // A retried submit within this window is de-duplicated by its Nats-Msg-Id (the session id); after it,
      // the session row's primary key still refuses a second session.
      duplicate_window: ms(2 * 60_000),
      num_replicas: this.env.PIPELINE_STREAM_REPLICAS,
    }
  }

  eventsStreamConfig(): Partial<StreamConfig> & { name: string } {
    return {
      name: this.eventsStream,
      subjects: [this.allEventsSubject],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      max_age: ms(this.env.PIPELINE_EVENTS_MAX_AGE_MS),
      max_msgs_per_subject: 100_000,
      max_msg_size: 1024 * 1024,
      duplicate_window: ms(2 * 60_000),
      num_replicas: this.env.PIPELINE_STREAM_REPLICAS,
    }
  }

  consumerConfig(type: AgentTypeName): Partial<ConsumerConfig> & { durable_name: string } {
    return {
      durable_name: this.consumerName(type),
      filter_subject: this.requestSubject(type),
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: ms(this.env.PIPELINE_ACK_WAIT_MS),
      max_deliver: this.env.PIPELINE_MAX_DELIVER,
      backoff: this.backoffMs.map(ms),
      max_ack_pending: 1_000,
      max_waiting: 512,
    }
  }
}

function isNotFound(err: unknown): boolean {
  return err instanceof JetStreamApiError && (err.code === 404 || /not found/i.test(err.message))
}

/**
 * Creates the streams and one durable consumer per agent type, or updates them to this configuration.
 * Safe to run from every process at every start.
 */
export async function ensureTopology(jsm: JetStreamManager, topology: PipelineTopology): Promise<void> {
  for (const config of [topology.requestsStreamConfig(), topology.eventsStreamConfig()]) {
    try {
      await jsm.streams.info(config.name)
      await jsm.streams.update(config.name, config)
    } catch (err) {
      if (!isNotFound(err)) throw err
      await jsm.streams.add(config).catch((addErr: unknown) => {
        // Another process created it between our info and add.
        if (!(addErr instanceof JetStreamApiError && /already in use/i.test(addErr.message))) throw addErr
      })
    }
  }
  for (const type of AGENT_TYPES) {
    const config = topology.consumerConfig(type)
    try {
      await jsm.consumers.info(topology.requestsStream, config.durable_name)
      await jsm.consumers.update(topology.requestsStream, config.durable_name, config)
    } catch (err) {
      if (!isNotFound(err)) throw err
      await jsm.consumers.add(topology.requestsStream, config)
    }
  }
}

/** Removes everything ensureTopology created (tests and namespace teardown only). */
export async function deleteTopology(jsm: JetStreamManager, topology: PipelineTopology): Promise<void> {
  for (const stream of [topology.requestsStream, topology.eventsStream]) {
    await jsm.streams.delete(stream).catch((err: unknown) => {
      if (!isNotFound(err)) throw err
    })
  }
}
