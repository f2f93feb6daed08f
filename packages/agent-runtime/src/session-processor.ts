import type { JetStreamClient, JetStreamManager, JsMsg } from '@nats-io/jetstream'
import { answerText, extractResult, formatUserMessage } from '@psa/agent-models'
import {
  type PipelineTopology,
  type SessionEventBody,
  SessionEventWriter,
  type SessionRow,
  type SessionStore,
  type StartAttempt,
  TRACEPARENT_HEADER,
  type WorkItem,
  workItemSchema,
} from '@psa/agent-pipeline'
import { changesetSchema } from '@psa/changesets'
import {
  childTraceContext,
  type Logger,
  parseTraceparent,
  redactText,
  type TraceContext,
  traceLogFields,
  withLogContext,
} from '@psa/config'
import type { Database, JwtClaims } from '@psa/db'
import type { AgentTypeName } from '@psa/proto'
import { Agent, type AgentResult, type Model } from '@strands-agents/sdk'
import { AttemptControl, type AttemptStop, RunningAttempts } from './attempt-control.js'
import { type AutoApplyResult, autoApplyProposal } from './auto-apply.js'
import { canonicalJson, deterministicUuid, sha256Hex } from './deterministic-id.js'
import { StrandsEventBridge } from './event-bridge.js'
import { endsWithTerminalEvent, recoverSessionEvents } from './event-recovery.js'
import { isTransient, SESSION_ERROR_CODES, TransientFailure } from './failures.js'
import type { RuntimeMetrics } from './metrics.js'
import { buildModelContext, calendarDay } from './model-context.js'
import {
  type AgentTool,
  type AgentToolContext,
  type AutoApplyReport,
  autoApplyReport,
  bindTools,
  type ProposalInput,
  type ProposalOutcome,
  type SessionInfo,
} from './tools.js'

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
  /** Deliveries that wait for a session row the orchestrator has not committed yet. */
  missingSessionDeliveries?: number
  reasoningChunkChars?: number
  reasoningChunkDelayMs?: number
  /** Test-only pause after each tool call (AGENT_TOOL_DELAY_MS). */
  toolDelayMs?: number
}

type AttemptResult =
  | { kind: 'completed'; result: Record<string, unknown>; text: string }
  | { kind: 'failed'; code: string; message: string }
  | { kind: 'cancelled'; message: string }
  | { kind: 'retry'; error: unknown; shutdown: boolean }
  | { kind: 'stale' }

interface Usage {
  inputTokens: number
  outputTokens: number
}

function describeError(err: unknown): string {
  if (err instanceof Error) {
    const cause = err.cause instanceof Error ? ` (${err.cause.message})` : ''
    return redactText(`${err.message}${cause}`).slice(0, 1_000)
  }
  return redactText(String(err)).slice(0, 1_000)
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * Processes one queue delivery from start to finish: claims the session (a fenced attempt), runs one
 * Strands agent with the agent's tools under a cancel signal, turn limit and timeout, bridges every
 * event to the session's stream and log, writes the outcome, and acknowledges the message accordingly.
 *
 * Outcomes: success, cancel and permanent failures are written to the session and acked; transient
 * failures (database, broker, throttled model) hand the message back with a growing delay, and the last
 * delivery's failure is dead-lettered; a message that cannot be a work item is terminated.
 */
export class SessionProcessor {
  readonly running = new RunningAttempts()
  readonly #o: SessionProcessorOptions
  readonly #agentName: string
  readonly #labels: { agent_type: AgentTypeName }

  constructor(options: SessionProcessorOptions) {
    this.#o = options
    this.#agentName = options.agent.agentName ?? options.agent.agentType
    this.#labels = { agent_type: options.agent.agentType }
  }

  get agentName(): string {
    return this.#agentName
  }

  /** Asks the attempt running `sessionId` in this process, if any, to stop as cancelled. */
  cancel(sessionId: string, reason: string): boolean {
    const control = this.running.get(sessionId)
    control?.stop({ kind: 'cancel', message: reason })
    return control !== undefined
  }

  /** Stops every running attempt and hands its message back to the queue (graceful shutdown). */
  handBackAll(): void {
    this.running.stopAll({ kind: 'shutdown' })
  }

  async process(msg: JsMsg): Promise<void> {
    const received = performance.now()
    let item: WorkItem
    try {
      item = workItemSchema.parse(msg.json())
    } catch (err) {
      this.#o.logger.error(
        {
          err: describeError(err),
          subject: msg.subject,
          stream_seq: msg.seq,
          deliveries: msg.info.deliveryCount,
        },
        'not a work item: terminating the message',
      )
      this.#settle(msg, 'term', 'invalid_message', received)
      return
    }
    const parent = parseTraceparent(msg.headers?.get(TRACEPARENT_HEADER))
    const trace = childTraceContext(parent)
    const fields = {
      ...traceLogFields(trace),
      session_id: item.session_id,
      agent_type: this.#o.agent.agentType,
    }
    await withLogContext(fields, () => this.#processItem(msg, item, trace, received))
  }

  #settle(
    msg: JsMsg,
    action: 'ack' | 'nak' | 'term' | 'none',
    reason: string,
    received: number,
    delayMs?: number,
  ) {
    try {
      if (action === 'ack') msg.ack()
      else if (action === 'term') msg.term()
      else if (action === 'nak') msg.nak(delayMs)
    } catch (err) {
      // The connection is gone: the server redelivers after the ack wait, which is the same outcome.
      this.#o.logger.warn({ err, action }, 'could not acknowledge the message')
    }
    this.#o.metrics.messages.inc({ ...this.#labels, action, reason })
    this.#o.metrics.processingSeconds.observe(
      { ...this.#labels, outcome: reason },
      (performance.now() - received) / 1000,
    )
  }

  #retryDelayMs(deliveries: number): number {
    const base = this.#o.retryBaseDelayMs ?? 2_000
    const max = this.#o.retryMaxDelayMs ?? 60_000
    return Math.min(max, base * 2 ** Math.max(0, deliveries - 1))
  }

  get #maxDeliver(): number {
    return this.#o.topology.env.PIPELINE_MAX_DELIVER
  }

  async #processItem(msg: JsMsg, item: WorkItem, trace: TraceContext, received: number): Promise<void> {
    const log = this.#o.logger
    const deliveries = msg.info.deliveryCount
    if (item.agent_type !== this.#o.agent.agentType) {
      log.error({ queued_for: item.agent_type }, 'work item for another agent type: terminating the message')
      this.#settle(msg, 'term', 'wrong_agent_type', received)
      return
    }
    let start: StartAttempt
    try {
      start = await this.#o.store.attempts.start(item.session_id)
    } catch (err) {
      // Nothing was claimed; hand the message back. Past the last delivery JetStream raises its
      // max-deliveries advisory, and the orchestrator dead-letters the session from there.
      const delay = this.#retryDelayMs(deliveries)
      log.warn(
        { err, deliveries, retry_in_ms: delay },
        'could not claim the session; handing the request back',
      )
      this.#o.metrics.failures.inc({ ...this.#labels, code: 'TRANSIENT' })
      this.#settle(msg, 'nak', 'claim_failed', received, delay)
      return
    }
    if (start.kind === 'missing') {
      // The orchestrator publishes inside its transaction and commits right after: the row may be a
      // moment away. A row that never appears was rolled back, and the message is junk.
      const waits = Math.min(this.#o.missingSessionDeliveries ?? 3, this.#maxDeliver)
      if (deliveries < waits) {
        log.info({ deliveries }, 'session not found yet; retrying shortly')
        this.#settle(msg, 'nak', 'session_not_yet_visible', received, 1_000 * deliveries)
      } else {
        log.error({ deliveries }, 'no session for this work item: terminating the message')
        this.#settle(msg, 'term', 'session_missing', received)
      }
      return
    }
    if (start.kind === 'finished') {
      try {
        await this.#completeEventLog(start.session)
      } catch (err) {
        const delay = this.#retryDelayMs(deliveries)
        log.warn({ err, retry_in_ms: delay }, 'could not check the finished session’s events; retrying')
        this.#settle(msg, 'nak', 'repair_failed', received, delay)
        return
      }
      log.info({ status: start.session.status }, 'session already finished: acknowledging without work')
      this.#settle(msg, 'ack', 'already_finished', received)
      return
    }
    await this.#runAttempt(msg, item, start.session, start.attempt, trace, received)
  }

  /**
   * A redelivered message for a finished session does no work, but if the attempt that finished it died
   * before publishing its last events, they are written now from the session row, so watchers still see
   * the session end. Sessions no worker ever started (cancelled while queued) belong to the orchestrator.
   */
  async #completeEventLog(session: SessionRow): Promise<void> {
    if (session.attempts < 1) return
    const recovered = await recoverSessionEvents(this.#o, session)
    if (endsWithTerminalEvent(recovered)) return
    const writer = await this.#openWriter(session, session.attempts)
    const status = session.status as 'completed' | 'failed' | 'cancelled'
    if (status === 'completed') {
      const result = session.result
      const text = isPlainObject(result) && typeof result.summary === 'string' ? result.summary : ''
      await writer.emit({
        type: 'final_result',
        data: {
          result,
          text,
          usage: {
            input_tokens: session.input_tokens,
            output_tokens: session.output_tokens,
            total_tokens: session.input_tokens + session.output_tokens,
          },
          agents_involved: session.agents_involved,
          processing_time_ms: session.processing_time_ms ?? 0,
        },
      })
    } else if (status === 'failed') {
      const error = (session.error ?? {}) as { code?: string; message?: string }
      await writer.emit({
        type: 'error',
        data: {
          code: error.code ?? 'INTERNAL',
          message: error.message ?? 'The request failed',
          retryable: false,
        },
      })
    }
    const message = (session.error as { message?: string } | null)?.message ?? ''
    await writer.emit({
      type: 'status_changed',
      data: { status, message, queue_position: 0, attempt: session.attempts },
    })
    await writer.close()
    this.#o.logger.warn(
      { status },
      'wrote the missing final events of a session finished by a crashed attempt',
    )
  }

  #openWriter(
    session: Pick<SessionRow, 'id' | 'organisation_id'>,
    attempt: number,
  ): Promise<SessionEventWriter> {
    return SessionEventWriter.open({
      js: this.#o.js,
      jsm: this.#o.jsm,
      topology: this.#o.topology,
      log: this.#o.store.events,
      sessionId: session.id,
      organisationId: session.organisation_id,
      agent: this.#agentName,
      attempt,
      logger: this.#o.logger,
    })
  }

  async #runAttempt(
    msg: JsMsg,
    item: WorkItem,
    session: SessionRow,
    attempt: number,
    trace: TraceContext,
    received: number,
  ): Promise<void> {
    const log = this.#o.logger
    const deliveries = msg.info.deliveryCount
    const control = new AttemptControl()
    this.running.add(session.id, control)
    this.#o.metrics.inFlight.inc(this.#labels)
    const heartbeat = this.#startHeartbeat(msg, session.id, attempt, control)
    let writer: SessionEventWriter | undefined
    let bridge: StrandsEventBridge | undefined
    const usage: Usage = { inputTokens: 0, outputTokens: 0 }
    const proposalIds: string[] = []
    // This agent, plus those its tools report working for it (the orchestrator's delegates).
    const involved = new Set<string>([this.#agentName])
    try {
      log.info({ attempt, deliveries, trace_id: trace.traceId }, 'processing agent request')
      const recovered = attempt > 1 ? await recoverSessionEvents(this.#o, session) : undefined
      if (recovered?.backfilled)
        log.info({ events: recovered.backfilled }, 'persisted events of the interrupted attempt')
      writer = await this.#openWriter(session, attempt)
      const openedWriter = writer
      const emit = async (body: SessionEventBody) => {
        try {
          await openedWriter.emit(body)
        } catch (err) {
          throw new TransientFailure('could not publish a session event', { cause: err })
        }
        this.#o.metrics.events.inc({ ...this.#labels, type: body.type })
      }
      bridge = new StrandsEventBridge(emit, {
        ...(this.#o.reasoningChunkChars !== undefined && { maxChars: this.#o.reasoningChunkChars }),
        ...(this.#o.reasoningChunkDelayMs !== undefined && { maxDelayMs: this.#o.reasoningChunkDelayMs }),
        onToolFinished: ({ name, ok }) =>
          this.#o.metrics.toolCalls.inc({ ...this.#labels, tool: name, ok: String(ok) }),
      })
      await bridge.emit({
        type: 'status_changed',
        data: {
          status: 'processing',
          message:
            attempt > 1
              ? `Restarted by ${this.#agentName} (attempt ${attempt}) after an interrupted attempt`
              : `Started by ${this.#agentName}`,
          queue_position: 0,
          attempt,
        },
      })
      const outcome = await this.#runAgent(
        item,
        session,
        attempt,
        control,
        bridge,
        usage,
        proposalIds,
        recovered?.announcedProposalIds ?? new Set(),
        involved,
      )
      heartbeat.stopPolling()
      await this.#conclude(msg, session, attempt, outcome, usage, involved, bridge, writer, received, item)
    } catch (err) {
      heartbeat.stopPolling()
      // Something outside the agent failed (event publishing, the database at the start or the end).
      const outcome: AttemptResult = isTransient(err)
        ? { kind: 'retry', error: err, shutdown: false }
        : { kind: 'failed', code: SESSION_ERROR_CODES.INTERNAL, message: 'The request failed unexpectedly' }
      if (outcome.kind === 'failed') log.error({ err }, 'agent request failed unexpectedly')
      try {
        await this.#conclude(msg, session, attempt, outcome, usage, involved, bridge, writer, received, item)
      } catch (concludeErr) {
        const delay = this.#retryDelayMs(deliveries)
        log.warn(
          { err: concludeErr, retry_in_ms: delay },
          'could not record the outcome; handing the request back',
        )
        this.#settle(msg, 'nak', 'outcome_not_recorded', received, delay)
      }
    } finally {
      heartbeat.stop()
      bridge?.dispose()
      this.running.delete(session.id, control)
      this.#o.metrics.inFlight.dec(this.#labels)
      if (usage.inputTokens)
        this.#o.metrics.tokens.inc({ ...this.#labels, direction: 'input' }, usage.inputTokens)
      if (usage.outputTokens)
        this.#o.metrics.tokens.inc({ ...this.#labels, direction: 'output' }, usage.outputTokens)
    }
  }

  async #runAgent(
    item: WorkItem,
    session: SessionRow,
    attempt: number,
    control: AttemptControl,
    bridge: StrandsEventBridge,
    usage: Usage,
    proposalIds: string[],
    announced: Set<string>,
    involved: Set<string>,
  ): Promise<AttemptResult> {
    const { db, store, agent: definition } = this.#o
    const claims: JwtClaims = {
      sub: session.user_id,
      role: 'authenticated',
      ...(item.user_email ? { email: item.user_email } : {}),
    }
    const organisation = await db.asUser(claims, (tx) =>
      tx
        .selectFrom('organisations')
        .select(['currency', 'timezone'])
        .where('id', '=', session.organisation_id)
        .executeTakeFirst(),
    )
    if (!organisation) {
      return {
        kind: 'failed',
        code: SESSION_ERROR_CODES.INVALID_REQUEST,
        message: 'The requesting user is no longer a member of the organisation',
      }
    }
    // The row is the record RLS checked at submit; the work item repeats it. Both must ask: a message that
    // says more than its row (or less) applies nothing by itself.
    const autoApply = session.auto_apply && item.auto_apply
    if (session.auto_apply !== item.auto_apply) {
      this.#o.logger.warn(
        { row_auto_apply: session.auto_apply, item_auto_apply: item.auto_apply },
        'the work item and the session disagree on auto-apply; proposals are not applied automatically',
      )
    }
    const autoApplied = new Map<string, AutoApplyReport>()
    const info: SessionInfo = {
      id: session.id,
      organisationId: session.organisation_id,
      userId: session.user_id,
      userEmail: item.user_email,
      agentType: definition.agentType,
      request: session.request,
      context: isPlainObject(session.context) ? session.context : {},
      autoApply,
      parentSessionId: session.parent_session_id,
      attempt,
      today: calendarDay(session.queued_at, organisation.timezone),
      currency: organisation.currency,
    }
    const propose = async (toolName: string, input: ProposalInput): Promise<ProposalOutcome> => {
      const changeset = changesetSchema.parse(input.changeset)
      const key = `${toolName}:${input.key ?? sha256Hex(canonicalJson({ title: input.title, changeset })).slice(0, 32)}`
      const { proposal, created } = await store.attempts.upsertProposal({
        sessionId: session.id,
        organisationId: session.organisation_id,
        agentType: definition.agentType,
        idempotencyKey: key,
        title: input.title,
        summary: input.summary,
        changeset,
      })
      if (!proposalIds.includes(proposal.id)) proposalIds.push(proposal.id)
      // Applied before it is announced, so the one proposal_created event says how it ended. A restarted
      // attempt gets the stored proposal back: applied stays applied, pending (the last attempt died before
      // applying) is applied now.
      let applied: AutoApplyResult | undefined
      if (autoApply) {
        applied = await autoApplyProposal(
          { db, claims, logger: this.#o.logger, signal: control.signal },
          proposal,
        )
        this.#o.metrics.autoApply.inc({ ...this.#labels, outcome: applied.outcome })
        this.#o.logger.info(
          { proposal_id: proposal.id, outcome: applied.outcome, status: applied.status },
          applied.applied ? 'proposal auto-applied' : 'proposal not auto-applied',
        )
      }
      if (created || !announced.has(proposal.id)) {
        announced.add(proposal.id)
        await bridge.emit({
          type: 'proposal_created',
          data: {
            proposal_id: proposal.id,
            title: proposal.title,
            summary: proposal.summary ?? '',
            change_count: changeset.operations.length,
            auto_applied: applied?.applied ?? false,
          },
        })
      }
      const outcome: ProposalOutcome = {
        proposalId: proposal.id,
        created,
        title: proposal.title,
        changeCount: changeset.operations.length,
        status: applied?.status ?? proposal.status,
        ...(applied ? { autoApply: applied } : {}),
      }
      if (applied) autoApplied.set(proposal.id, autoApplyReport({ ...outcome, autoApply: applied }))
      return outcome
    }
    const forTool = (toolName: string): AgentToolContext => ({
      session: info,
      db,
      logger: this.#o.logger,
      signal: control.signal,
      toolName,
      asUser: (fn) => db.asUser(claims, fn),
      id: (...parts: string[]) => deterministicUuid(session.id, ...parts),
      propose: (input) => propose(toolName, input),
      emit: (body) => bridge.emit(body),
      involve: (agentName) => void involved.add(agentName),
    })
    const tools = bindTools(definition.tools, {
      forTool,
      reportTransient: (error) => control.stop({ kind: 'transient', error }),
      ...(this.#o.toolDelayMs ? { delayMs: this.#o.toolDelayMs } : {}),
    })
    const contextCtx = forTool('model_context')
    const modelContext = definition.modelContext
      ? await definition.modelContext(contextCtx)
      : await db.asUser(claims, (tx) =>
          buildModelContext(tx, {
            organisationId: info.organisationId,
            userId: info.userId,
            userContext: info.context,
            today: info.today,
            currency: info.currency,
          }),
        )
    const agent = new Agent({
      model: this.#o.model,
      tools,
      systemPrompt: definition.systemPrompt,
      printer: false,
      name: this.#agentName,
      toolExecutor: 'sequential',
    })
    const message = formatUserMessage({
      request: session.request,
      context: modelContext,
      agentType: definition.agentType,
    })
    const timer = setTimeout(() => control.stop({ kind: 'timeout' }), this.#o.timeoutMs)
    let result: AgentResult | undefined
    let runError: unknown
    let bridgeBroken = false
    try {
      const stream = agent.stream(message, {
        cancelSignal: control.signal,
        limits: { turns: this.#o.maxTurns },
      })
      for (;;) {
        const next = await stream.next()
        if (next.done) {
          result = next.value
          break
        }
        if (bridgeBroken) continue
        try {
          await bridge.handle(next.value)
        } catch (err) {
          // The agent is told to stop; the loop drains it so the SDK finishes cleanly.
          bridgeBroken = true
          control.stop({ kind: 'transient', error: err })
        }
      }
    } catch (err) {
      runError = err
    } finally {
      clearTimeout(timer)
      const accumulated = agent.metrics.accumulatedUsage
      usage.inputTokens = accumulated.inputTokens
      usage.outputTokens = accumulated.outputTokens
    }
    if (!bridgeBroken) await bridge.finish()

    const stop = control.stopped
    if (stop) return this.#stopOutcome(stop)
    if (runError !== undefined) {
      if (isTransient(runError)) return { kind: 'retry', error: runError, shutdown: false }
      this.#o.logger.warn({ err: runError }, 'the model failed')
      return {
        kind: 'failed',
        code: SESSION_ERROR_CODES.MODEL_ERROR,
        message: `The model failed: ${describeError(runError)}`,
      }
    }
    if (!result)
      return { kind: 'failed', code: SESSION_ERROR_CODES.INTERNAL, message: 'The agent produced no result' }
    switch (result.stopReason) {
      case 'endTurn':
      case 'stopSequence': {
        const text = answerText(result.lastMessage)
        const data = extractResult(result.lastMessage)
        const structured = data === undefined ? {} : isPlainObject(data) ? data : { data }
        return {
          kind: 'completed',
          text,
          result: {
            ...structured,
            summary: text,
            proposal_ids: proposalIds,
            ...(autoApply ? { auto_apply: [...autoApplied.values()] } : {}),
          },
        }
      }
      case 'limitTurns':
        return {
          kind: 'failed',
          code: SESSION_ERROR_CODES.AGENT_TURN_LIMIT,
          message: `The agent did not finish within ${this.#o.maxTurns} turns`,
        }
      case 'maxTokens':
      case 'limitOutputTokens':
      case 'limitTotalTokens':
      case 'modelContextWindowExceeded':
        return {
          kind: 'failed',
          code: SESSION_ERROR_CODES.AGENT_TOKEN_LIMIT,
          message: `The model ran out of tokens before finishing (${result.stopReason})`,
        }
      case 'contentFiltered':
      case 'guardrailIntervened':
      case 'refusal':
        return {
          kind: 'failed',
          code: SESSION_ERROR_CODES.MODEL_REFUSED,
          message: `The model declined to answer (${result.stopReason})`,
        }
      default:
        return {
          kind: 'failed',
          code: SESSION_ERROR_CODES.MODEL_ERROR,
          message: `The agent stopped unexpectedly (${result.stopReason})`,
        }
    }
  }

  #stopOutcome(stop: AttemptStop): AttemptResult {
    switch (stop.kind) {
      case 'cancel':
        return { kind: 'cancelled', message: stop.message }
      case 'timeout':
        return {
          kind: 'failed',
          code: SESSION_ERROR_CODES.AGENT_TIMEOUT,
          message: `The request did not finish within ${Math.round(this.#o.timeoutMs / 1000)} s`,
        }
      case 'shutdown':
        return { kind: 'retry', error: new Error('the worker is shutting down'), shutdown: true }
      case 'transient':
        return { kind: 'retry', error: stop.error, shutdown: false }
      case 'stale':
        return { kind: 'stale' }
    }
  }

  async #conclude(
    msg: JsMsg,
    session: SessionRow,
    attempt: number,
    outcome: AttemptResult,
    usage: Usage,
    involved: ReadonlySet<string>,
    bridge: StrandsEventBridge | undefined,
    writer: SessionEventWriter | undefined,
    received: number,
    item: WorkItem,
  ): Promise<void> {
    const { store, logger: log } = this.#o
    const processingTimeMs = Math.round(performance.now() - received)
    const deliveries = msg.info.deliveryCount
    const emit = async (body: SessionEventBody) => {
      if (bridge) await bridge.emit(body)
      else await writer?.emit(body)
    }
    const terminal = async (status: 'completed' | 'failed' | 'cancelled', message: string) => {
      await emit({ type: 'status_changed', data: { status, message, queue_position: 0, attempt } })
      await writer?.close()
    }
    const stale = () => {
      // A newer attempt owns the session; its delivery of this message is the live one, so leave it alone.
      log.warn({ attempt }, 'attempt is stale (a newer attempt owns the session); stopping without writing')
      this.#o.metrics.messages.inc({ ...this.#labels, action: 'none', reason: 'stale_attempt' })
    }
    const agentsInvolved = [...involved]

    switch (outcome.kind) {
      case 'completed': {
        const done = await store.attempts.complete(session.id, attempt, {
          result: outcome.result,
          agentsInvolved,
          processingTimeMs,
          inputTokens: usage.inputTokens,
          outputTokens: usage.outputTokens,
        })
        if (!done) return stale()
        await emit({
          type: 'final_result',
          data: {
            result: outcome.result,
            text: outcome.text,
            usage: {
              input_tokens: usage.inputTokens,
              output_tokens: usage.outputTokens,
              total_tokens: usage.inputTokens + usage.outputTokens,
            },
            agents_involved: agentsInvolved,
            processing_time_ms: processingTimeMs,
          },
        })
        await terminal('completed', 'Completed')
        log.info(
          { attempt, processing_time_ms: processingTimeMs, proposals: outcome.result.proposal_ids },
          'agent request completed',
        )
        this.#settle(msg, 'ack', 'completed', received)
        return
      }
      case 'failed': {
        const done = await store.attempts.fail(
          session.id,
          attempt,
          { code: outcome.code, message: outcome.message },
          {
            processingTimeMs,
            inputTokens: usage.inputTokens,
            outputTokens: usage.outputTokens,
            agentsInvolved,
          },
        )
        if (!done) return stale()
        this.#o.metrics.failures.inc({ ...this.#labels, code: outcome.code })
        await emit({
          type: 'error',
          data: { code: outcome.code, message: outcome.message, retryable: false },
        })
        await terminal('failed', outcome.message)
        log.warn({ code: outcome.code, error_message: outcome.message }, 'agent request failed')
        this.#settle(msg, 'ack', `failed_${outcome.code.toLowerCase()}`, received)
        return
      }
      case 'cancelled': {
        const done = await store.attempts.markCancelled(
          session.id,
          attempt,
          outcome.message,
          processingTimeMs,
        )
        if (!done) return stale()
        await terminal('cancelled', outcome.message)
        log.info({ reason: outcome.message }, 'agent request cancelled')
        this.#settle(msg, 'ack', 'cancelled', received)
        return
      }
      case 'stale':
        return stale()
      case 'retry': {
        if (!outcome.shutdown && deliveries >= this.#maxDeliver) {
          await this.#deadLetter(msg, session, attempt, item, outcome.error, emit, terminal, received)
          return
        }
        const delay = outcome.shutdown ? 0 : this.#retryDelayMs(deliveries)
        const why = outcome.shutdown
          ? 'this worker is shutting down'
          : `a temporary problem (${describeError(outcome.error)})`
        if (!outcome.shutdown) this.#o.metrics.failures.inc({ ...this.#labels, code: 'TRANSIENT' })
        log.warn(
          { err: outcome.error, deliveries, retry_in_ms: delay },
          'handing the request back to the queue',
        )
        // Tell watchers why nothing happens for a while; if the broker is what failed, this fails too.
        await Promise.race([
          (async () => {
            await emit({
              type: 'status_changed',
              data: {
                status: 'processing',
                message: `Interrupted by ${why}; it will be retried${delay ? ` in ${Math.round(delay / 1000)} s` : ''}`,
                queue_position: 0,
                attempt,
              },
            })
            await writer?.close()
          })(),
          new Promise((resolve) => setTimeout(resolve, 2_000).unref()),
        ]).catch((err: unknown) => log.debug({ err }, 'could not publish the interruption'))
        this.#settle(
          msg,
          'nak',
          outcome.shutdown ? 'handed_back_on_shutdown' : 'transient_failure',
          received,
          delay,
        )
        return
      }
    }
  }

  async #deadLetter(
    msg: JsMsg,
    session: SessionRow,
    attempt: number,
    item: WorkItem,
    error: unknown,
    emit: (body: SessionEventBody) => Promise<void>,
    terminal: (status: 'failed', message: string) => Promise<void>,
    received: number,
  ): Promise<void> {
    const deliveries = msg.info.deliveryCount
    const reason = describeError(error)
    let recorded: boolean
    try {
      const result = await this.#o.store.attempts.deadLetter({
        sessionId: session.id,
        organisationId: session.organisation_id,
        agentType: this.#o.agent.agentType,
        payload: item,
        reason,
        deliveries,
      })
      recorded = result.sessionFailed
    } catch (err) {
      // Could not record it: leave the message unacked so JetStream's max-deliveries advisory reaches the
      // orchestrator, which dead-letters it once the database is back.
      this.#o.logger.error(
        { err },
        'could not record the dead letter; leaving it to the max-deliveries advisory',
      )
      this.#settle(msg, 'nak', 'dead_letter_deferred', received)
      return
    }
    this.#o.metrics.failures.inc({ ...this.#labels, code: SESSION_ERROR_CODES.DEAD_LETTERED })
    if (recorded) {
      const message = `The request could not be processed after ${deliveries} attempts: ${reason}`
      await emit({
        type: 'error',
        data: { code: SESSION_ERROR_CODES.DEAD_LETTERED, message, retryable: false },
      }).catch(() => {})
      await terminal('failed', message).catch(() => {})
    }
    this.#o.logger.error({ attempt, deliveries, reason }, 'agent request dead-lettered')
    this.#settle(msg, 'term', 'dead_lettered', received)
  }

  /**
   * In-progress acks so a long request is not redelivered, plus a look at the session row: a cancel
   * recorded there (the broadcast may have been missed) or a newer attempt owning it stops this one.
   */
  #startHeartbeat(msg: JsMsg, sessionId: string, attempt: number, control: AttemptControl) {
    const interval = Math.max(100, Math.floor(this.#o.topology.env.PIPELINE_ACK_WAIT_MS / 3))
    let polling = false
    let pollingEnabled = true
    const tick = async () => {
      try {
        msg.working()
      } catch {
        // Connection trouble: the event publishing path reports it.
      }
      if (polling || !pollingEnabled) return
      polling = true
      try {
        const check = await this.#o.store.attempts.check(sessionId, attempt)
        if (!pollingEnabled) return
        if (check.kind === 'stale') control.stop({ kind: 'stale' })
        else if (check.kind === 'cancel') control.stop({ kind: 'cancel', message: check.reason })
      } catch (err) {
        this.#o.logger.debug({ err }, 'session state poll failed')
      } finally {
        polling = false
      }
    }
    void tick()
    const timer = setInterval(() => void tick(), interval)
    return {
      stopPolling: () => {
        pollingEnabled = false
      },
      stop: () => {
        pollingEnabled = false
        clearInterval(timer)
      },
    }
  }
}
