import type { JetStreamClient, JetStreamManager, JsMsg } from '@nats-io/jetstream'
import {
  type PipelineTopology,
  SessionEventWriter,
  type SessionRow,
  type SessionStore,
  type StartAttempt,
  TRACEPARENT_HEADER,
  type WorkItem,
  workItemSchema,
} from '@psa/agent-pipeline'
import {
  childTraceContext,
  type Logger,
  parseTraceparent,
  type TraceContext,
  traceLogFields,
  withLogContext,
} from '@psa/config'
import { type Database, mapDatabaseError } from '@psa/db'
import type { AgentTypeName } from '@psa/proto'
import type { Model } from '@strands-agents/sdk'
import { Attempt } from './attempt.js'
import { RunningAttempts } from './attempt-control.js'
import { Delivery } from './delivery.js'
import { completeEventLog } from './event-recovery.js'
import type { RuntimeMetrics } from './metrics.js'
import { describeError } from './stop-reasons.js'
import type { AgentTool, AgentToolContext } from './tools.js'

/** One kind of agent: what it is called, how it is told to behave, and what it can do. */
export interface AgentDefinition {
  agentType: AgentTypeName
  /** The `agent` of its events and its entry in `agents_involved`; defaults to the agent type. */
  agentName?: string
  systemPrompt: string
  tools: readonly AgentTool[]
  /**
   * The structured context the model receives, from the organisation's data; defaults to the
   * organisation's names (clients, projects, people, roles, skills), currency and the request's day.
   */
  modelContext?: (ctx: AgentToolContext) => Promise<Record<string, unknown>>
}

export interface SessionProcessorOptions {
  agent: AgentDefinition
  /** Shared by every Agent this process creates. */
  model: Model
  js: JetStreamClient
  jsm: JetStreamManager
  topology: PipelineTopology
  store: SessionStore
  db: Database
  logger: Logger
  metrics: RuntimeMetrics
  /** Whole-attempt budget; past it the session fails with AGENT_TIMEOUT. */
  timeoutMs: number
  /** Model turns (a model call and the tools it asked for) per request; past it AGENT_TURN_LIMIT. */
  maxTurns: number
  /** First retry delay after a transient failure; doubles per delivery up to `retryMaxDelayMs`. */
  retryBaseDelayMs?: number
  retryMaxDelayMs?: number
  /**
   * How long after its submit a work item waits for its session row (the orchestrator publishes inside
   * the admission transaction, so a stalled commit can be seconds away). The message is held with
   * in-progress acks meanwhile, so the wait burns no deliveries. Default 120 s.
   */
  missingSessionGraceMs?: number
  /**
   * How long one delivery waits for an unreachable database before it is handed back (also held with
   * in-progress acks: an outage must not count toward max_deliver and dead-letter queued work). Default 10 min.
   */
  claimHoldMs?: number
  reasoningChunkChars?: number
  reasoningChunkDelayMs?: number
  /** Test-only pause after each tool call (AGENT_TOOL_DELAY_MS). */
  toolDelayMs?: number
}

/** What every attempt of one processor shares. */
export interface ProcessorContext {
  options: SessionProcessorOptions
  agentName: string
  labels: { agent_type: AgentTypeName }
  running: RunningAttempts
  /** `lastLoggedSeq`: the log's highest sequence if known (the claim read it), else it is read. */
  openWriter(
    session: Pick<SessionRow, 'id' | 'organisation_id'>,
    attempt: number,
    lastLoggedSeq?: number,
  ): Promise<SessionEventWriter>
}

/**
 * Processes one queue delivery from start to finish: parses the work item, claims the session (a fenced
 * attempt) and hands it to an Attempt, which runs the agent and writes the outcome. A delivery for a
 * session that is not there (yet), or already finished, settles here without an attempt; a message that
 * cannot be a work item is terminated.
 */
export class SessionProcessor {
  readonly running = new RunningAttempts()
  readonly #options: SessionProcessorOptions
  readonly #context: ProcessorContext
  #stopping = false

  constructor(options: SessionProcessorOptions) {
    this.#options = options
    this.#context = {
      options,
      agentName: options.agent.agentName ?? options.agent.agentType,
      labels: { agent_type: options.agent.agentType },
      running: this.running,
      openWriter: (session, attempt, lastLoggedSeq) => this.#openWriter(session, attempt, lastLoggedSeq),
    }
  }

  get agentName(): string {
    return this.#context.agentName
  }

  /** Asks the attempt running `sessionId` in this process, if any, to stop as cancelled. */
  cancel(sessionId: string, reason: string): boolean {
    const control = this.running.get(sessionId)
    control?.stop({ kind: 'cancel', message: reason })
    return control !== undefined
  }

  /** Stops every running attempt and hands its message back to the queue (graceful shutdown). */
  handBackAll(): void {
    this.#stopping = true
    this.running.stopAll({ kind: 'shutdown' })
  }

  async process(msg: JsMsg): Promise<void> {
    const { logger, metrics, retryBaseDelayMs, retryMaxDelayMs } = this.#options
    const delivery = new Delivery(msg, {
      logger,
      metrics,
      labels: this.#context.labels,
      retryBaseDelayMs,
      retryMaxDelayMs,
    })
    let item: WorkItem
    try {
      item = workItemSchema.parse(msg.json())
    } catch (err) {
      logger.error(
        { err: describeError(err), subject: msg.subject, stream_seq: msg.seq, deliveries: delivery.count },
        'not a work item: terminating the message',
      )
      delivery.settle('term', 'invalid_message')
      return
    }
    const trace = childTraceContext(parseTraceparent(msg.headers?.get(TRACEPARENT_HEADER)))
    const fields = {
      ...traceLogFields(trace),
      session_id: item.session_id,
      agent_type: this.#options.agent.agentType,
    }
    await withLogContext(fields, () => this.#processItem(delivery, item, trace))
  }

  async #processItem(delivery: Delivery, item: WorkItem, trace: TraceContext): Promise<void> {
    const { logger: log } = this.#options
    if (item.agent_type !== this.#options.agent.agentType) {
      log.error({ queued_for: item.agent_type }, 'work item for another agent type: terminating the message')
      delivery.settle('term', 'wrong_agent_type')
      return
    }
    const start = await this.#claim(delivery, item)
    if (!start) return
    if (start.kind === 'missing') {
      // Past the grace the admission transaction has long ended: it rolled back, and the message is junk.
      log.error({ deliveries: delivery.count }, 'no session for this work item: terminating the message')
      delivery.settle('term', 'session_missing')
      return
    }
    if (start.kind === 'finished') {
      try {
        await this.#completeEventLog(start.session)
      } catch (err) {
        const delay = delivery.retryDelayMs()
        log.warn({ err, retry_in_ms: delay }, 'could not check the finished session’s events; retrying')
        delivery.settle('nak', 'repair_failed', delay)
        return
      }
      log.info({ status: start.session.status }, 'session already finished: acknowledging without work')
      delivery.settle('ack', 'already_finished')
      return
    }
    await new Attempt(
      this.#context,
      delivery,
      item,
      start.session,
      start.attempt,
      trace,
      start.lastLoggedSeq,
    ).run()
  }

  /**
   * Claims the session, holding the message (in-progress acks, no delivery burned) while the database is
   * unreachable or the session row is not committed yet. Undefined: the delivery was settled here.
   */
  async #claim(delivery: Delivery, item: WorkItem): Promise<StartAttempt | undefined> {
    const holdUntil = performance.now() + (this.#options.claimHoldMs ?? 600_000)
    const submittedAt = Date.parse(item.submitted_at)
    const graceUntil = submittedAt + (this.#options.missingSessionGraceMs ?? 120_000)
    const waitMs = 250
    const logged = false
    // In-progress acks through the whole claim: a connect that hangs for longer than the ack wait must not
    // get the message redelivered (and counted) either.
    const beat = setInterval(
      () => delivery.working(),
      Math.max(100, Math.min(5_000, this.#options.topology.env.PIPELINE_ACK_WAIT_MS / 3)),
    )
    try {
      return await this.#claimLoop(delivery, item, { holdUntil, graceUntil, waitMs, logged })
    } finally {
      clearInterval(beat)
    }
  }

  async #claimLoop(
    delivery: Delivery,
    item: WorkItem,
    state: { holdUntil: number; graceUntil: number; waitMs: number; logged: boolean },
  ): Promise<StartAttempt | undefined> {
    const { logger: log, store, metrics } = this.#options
    let { waitMs, logged } = state
    const { holdUntil, graceUntil } = state
    for (;;) {
      let outcome: StartAttempt | undefined
      try {
        outcome = await store.attempts.start(item.session_id)
      } catch (err) {
        const transient = ['UNAVAILABLE', 'DEADLINE_EXCEEDED'].includes(mapDatabaseError(err).code)
        if (!transient || performance.now() > holdUntil || this.#stopping) {
          // Nothing was claimed; hand the message back. Past the last delivery JetStream raises its
          // max-deliveries advisory, and the orchestrator dead-letters the session from there.
          const delay = delivery.retryDelayMs()
          log.warn(
            { err, deliveries: delivery.count, retry_in_ms: delay },
            'could not claim the session; handing the request back',
          )
          metrics.failures.inc({ ...this.#context.labels, code: 'TRANSIENT' })
          delivery.settle('nak', 'claim_failed', delay)
          return undefined
        }
        if (!logged) log.warn({ err }, 'database unreachable: holding the request until it answers')
        logged = true
      }
      if (outcome && (outcome.kind !== 'missing' || Date.now() > graceUntil || this.#stopping)) return outcome
      if (outcome && !logged) log.info('session not committed yet: holding the request')
      if (outcome) logged = true
      await new Promise((resolve) => setTimeout(resolve, waitMs))
      waitMs = Math.min(waitMs * 2, 5_000)
    }
  }

  /**
   * A redelivered message for a finished session does no work, but if the attempt that finished it died
   * before publishing its last events, they are written now from the session row, so watchers still see
   * the session end. Sessions no worker ever started (cancelled while queued) belong to the orchestrator.
   */
  async #completeEventLog(session: SessionRow): Promise<void> {
    if (session.attempts < 1) return
    const written = await completeEventLog(this.#options, session, (s, attempt) =>
      this.#openWriter(s, attempt),
    )
    if (written === 0) return
    this.#options.logger.warn(
      { status: session.status, events: written },
      'wrote the missing final events of a session finished by a crashed attempt',
    )
  }

  #openWriter(
    session: Pick<SessionRow, 'id' | 'organisation_id'>,
    attempt: number,
    lastLoggedSeq?: number,
  ): Promise<SessionEventWriter> {
    return SessionEventWriter.open({
      js: this.#options.js,
      jsm: this.#options.jsm,
      topology: this.#options.topology,
      log: this.#options.store.events,
      sessionId: session.id,
      organisationId: session.organisation_id,
      agent: this.#context.agentName,
      attempt,
      ...(lastLoggedSeq === undefined ? {} : { lastLoggedSeq }),
      logger: this.#options.logger,
    })
  }
}
