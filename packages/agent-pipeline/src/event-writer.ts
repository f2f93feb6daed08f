import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream'
import type { Logger } from '@psa/config'
import type { EventLog } from './event-log.js'
import { isTerminalEvent, type SessionEventBody, type SessionEventEnvelope } from './events.js'
import type { PipelineTopology } from './topology.js'

export interface SessionEventWriterOptions {
  js: JetStreamClient
  jsm: JetStreamManager
  topology: PipelineTopology
  /** Where the events are persisted (batched; JetStream has them first). */
  log: EventLog
  sessionId: string
  organisationId: string
  /** Default `agent` of emitted events. */
  agent: string
  /** The delivery attempt writing (stored with each event in agent_logs). */
  attempt: number
  /** The log's highest sequence when the caller already read it (the claim does): not read again. */
  lastLoggedSeq?: number
  logger: Logger
  /** Events are persisted to Postgres in batches at most this far apart. */
  flushIntervalMs?: number
  maxBatch?: number
}

/** Highest event sequence of a session in JetStream (0 when none). */
export async function lastStreamSeq(
  jsm: JetStreamManager,
  topology: PipelineTopology,
  sessionId: string,
): Promise<number> {
  try {
    const msg = await jsm.streams.getMessage(topology.eventsStream, {
      last_by_subj: topology.eventSubject(sessionId),
    })
    return msg ? Number((msg.json() as { seq?: unknown }).seq ?? 0) : 0
  } catch (err) {
    if (/no message found|not found/i.test((err as Error).message)) return 0
    throw err
  }
}

/** Publishes one event to the session's subject; its message id makes a retried publish a no-op. */
export function publishSessionEvent(
  js: JetStreamClient,
  topology: PipelineTopology,
  event: SessionEventEnvelope,
) {
  return js.publish(topology.eventSubject(event.session_id), JSON.stringify(event), {
    msgID: `${event.session_id}:${event.seq}`,
  })
}

/**
 * The single writer of a session's events at any time (whoever holds the session's state: the orchestrator
 * while queued, the worker's attempt while processing). Each event gets the next sequence number, is
 * published to JetStream in order (pipelined, not one acknowledgement at a time) (message id `<session>:<seq>`, so a retried publish is stored once), and
 * is persisted to `agent_logs` in batches. A new attempt continues after the highest sequence found in
 * JetStream or Postgres, so a restarted session's events never reuse a number.
 */
export class SessionEventWriter {
  readonly #options: Required<Pick<SessionEventWriterOptions, 'flushIntervalMs' | 'maxBatch'>> &
    SessionEventWriterOptions
  #seq: number
  #chain: Promise<unknown> = Promise.resolve()
  #pending: SessionEventEnvelope[] = []
  #timer: NodeJS.Timeout | undefined
  #flushing: Promise<void> = Promise.resolve()
  #closed = false
  /** Set by the session's terminal status: the log is complete, and nothing may follow it. */
  #ended = false

  private constructor(options: SessionEventWriterOptions, lastSeq: number) {
    this.#options = { flushIntervalMs: 200, maxBatch: 100, ...options }
    this.#seq = lastSeq
  }

  static async open(options: SessionEventWriterOptions): Promise<SessionEventWriter> {
    const [inStream, inDb] = await Promise.all([
      lastStreamSeq(options.jsm, options.topology, options.sessionId),
      options.lastLoggedSeq ?? options.log.lastSeq(options.sessionId),
    ])
    return new SessionEventWriter(options, Math.max(inStream, inDb))
  }

  /** Sequence of the last event emitted (0 before the first). */
  get lastSeq(): number {
    return this.#seq
  }

  /** Publishes the event; resolves once JetStream has stored it. Calls are published in call order. */
  emit(body: SessionEventBody, agent = this.#options.agent): Promise<SessionEventEnvelope> {
    if (this.#closed) return Promise.reject(new Error('event writer is closed'))
    // An event after the terminal status (an attempt that failed to persist its last events reporting an
    // interruption) would make the log look unfinished, and whoever repairs it would end it a second time.
    if (this.#ended) return Promise.reject(new Error("the session's event log has ended"))
    if (isTerminalEvent(body)) this.#ended = true
    this.#seq += 1
    const event = {
      session_id: this.#options.sessionId,
      seq: this.#seq,
      time: new Date().toISOString(),
      agent,
      ...body,
    } as SessionEventEnvelope
    // Sent at once rather than after the previous acknowledgement: one connection delivers its messages in
    // order, so JetStream stores them in sequence order, and a burst of events (a tool starting, a
    // proposal, the tool finishing) reaches watchers without waiting one round trip per event.
    const sent = publishSessionEvent(this.#options.js, this.#options.topology, event)
    sent.catch(() => {})
    const published = this.#chain.then(async () => {
      await sent
      this.#enqueueForPersistence(event)
      return event
    })
    this.#chain = published.catch(() => {})
    return published
  }

  #enqueueForPersistence(event: SessionEventEnvelope): void {
    this.#pending.push(event)
    if (this.#pending.length >= this.#options.maxBatch) {
      void this.flush().catch(() => {})
    } else {
      this.#timer ??= setTimeout(() => void this.flush().catch(() => {}), this.#options.flushIntervalMs)
    }
  }

  /** Waits for every emitted event to be published, then persists all pending ones. */
  async flush(): Promise<void> {
    await this.#chain
    clearTimeout(this.#timer)
    this.#timer = undefined
    const batch = this.#pending
    this.#pending = []
    this.#flushing = this.#flushing
      .catch(() => {})
      .then(async () => {
        if (batch.length === 0) return
        try {
          await this.#options.log.append(this.#options.organisationId, this.#options.attempt, batch)
        } catch (err) {
          // Keep them for the next flush: events are in JetStream already, and the insert is idempotent.
          this.#pending.unshift(...batch)
          this.#options.logger.warn(
            { err, events: batch.length },
            'persisting session events failed; will retry',
          )
          throw err
        }
      })
    return this.#flushing
  }

  /**
   * Persists everything emitted, then refuses further events. A timed flush failing while this one waits
   * hands its batch back to `#pending` after this flush took its own, so flush until nothing is left; a flush
   * that fails throws, so this never spins while the database is down.
   */
  async close(): Promise<void> {
    do await this.flush()
    while (this.#pending.length > 0)
    this.#closed = true
  }
}
