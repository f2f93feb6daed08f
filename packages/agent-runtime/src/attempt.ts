import { formatUserMessage } from '@psa/agent-models'
import type { SessionEventBody, SessionEventWriter, SessionRow, WorkItem } from '@psa/agent-pipeline'
import type { TraceContext } from '@psa/config'
import type { JwtClaims } from '@psa/db'
import { SESSION_ERROR_CODES } from '@psa/errors'
import { Agent, type AgentResult } from '@strands-agents/sdk'
import { AttemptControl } from './attempt-control.js'
import type { Delivery } from './delivery.js'
import { deterministicUuid } from './deterministic-id.js'
import { StrandsEventBridge } from './event-bridge.js'
import { recoverSessionEvents } from './event-recovery.js'
import { isTransient, TransientFailure } from './failures.js'
import { startHeartbeat } from './heartbeat.js'
import { calendarDay, readOrganisationContext } from './model-context.js'
import { OutcomeWriter } from './outcome-writer.js'
import { ProposalSink } from './proposal-sink.js'
import type { ProcessorContext } from './session-processor.js'
import { type AttemptResult, isPlainObject, runOutcome, stopOutcome } from './stop-reasons.js'
import type { Usage } from './terminal-events.js'
import { type AgentToolContext, bindTools, type SessionInfo } from './tools.js'

/**
 * One attempt at one session: the delivery that claimed it, its cancel signal and heartbeat, the event
 * stream it writes, the Strands agent it runs with the agent's tools, and the outcome it writes. A new
 * object per attempt, so nothing of one request leaks into the next.
 */
export class Attempt {
  readonly control = new AttemptControl()
  readonly #usage: Usage = { inputTokens: 0, outputTokens: 0 }
  /** This agent, plus those its tools report working for it (the orchestrator's delegates). */
  readonly #involved: Set<string>
  #writer: SessionEventWriter | undefined
  #bridge: StrandsEventBridge | undefined

  constructor(
    readonly context: ProcessorContext,
    readonly delivery: Delivery,
    readonly item: WorkItem,
    readonly session: SessionRow,
    readonly number: number,
    readonly trace: TraceContext,
    /** The log's highest sequence at the claim, before any recovery of this attempt. */
    readonly lastLoggedSeq?: number,
  ) {
    this.#involved = new Set([context.agentName])
  }

  async run(): Promise<void> {
    const { options, labels, running } = this.context
    const { session, number: attempt, delivery } = this
    const log = options.logger
    running.add(session.id, this.control)
    options.metrics.inFlight.inc(labels)
    const heartbeat = startHeartbeat({
      msg: delivery.msg,
      attempts: options.store.attempts,
      sessionId: session.id,
      attempt,
      control: this.control,
      ackWaitMs: options.topology.env.PIPELINE_ACK_WAIT_MS,
      logger: log,
      claimed: session,
    })
    try {
      log.info(
        { attempt, deliveries: delivery.count, trace_id: this.trace.traceId },
        'processing agent request',
      )
      const recovered = attempt > 1 ? await recoverSessionEvents(options, session) : undefined
      if (recovered?.backfilled)
        log.info({ events: recovered.backfilled }, 'persisted events of the interrupted attempt')
      const bridge = await this.#openEvents()
      await bridge.emit({
        type: 'status_changed',
        data: {
          status: 'processing',
          message:
            attempt > 1
              ? `Restarted by ${this.context.agentName} (attempt ${attempt}) after an interrupted attempt`
              : `Started by ${this.context.agentName}`,
          queue_position: 0,
          attempt,
        },
      })
      const outcome = await this.#runAgent(bridge, recovered?.announcedProposalIds ?? new Set())
      heartbeat.stopPolling()
      await this.#outcomeWriter().write(outcome, this.#usage, [...this.#involved])
    } catch (err) {
      heartbeat.stopPolling()
      // Something outside the agent failed (event publishing, the database at the start or the end).
      const outcome: AttemptResult = isTransient(err)
        ? { kind: 'retry', error: err, shutdown: false }
        : { kind: 'failed', code: SESSION_ERROR_CODES.INTERNAL, message: 'The request failed unexpectedly' }
      if (outcome.kind === 'failed') log.error({ err }, 'agent request failed unexpectedly')
      try {
        await this.#outcomeWriter().write(outcome, this.#usage, [...this.#involved])
      } catch (writeErr) {
        const delay = delivery.retryDelayMs()
        log.warn(
          { err: writeErr, retry_in_ms: delay },
          'could not record the outcome; handing the request back',
        )
        delivery.settle('nak', 'outcome_not_recorded', delay)
      }
    } finally {
      heartbeat.stop()
      this.#bridge?.dispose()
      running.delete(session.id, this.control)
      options.metrics.inFlight.dec(labels)
      const { inputTokens, outputTokens } = this.#usage
      if (inputTokens) options.metrics.tokens.inc({ ...labels, direction: 'input' }, inputTokens)
      if (outputTokens) options.metrics.tokens.inc({ ...labels, direction: 'output' }, outputTokens)
    }
  }

  /** The attempt's event writer, and the bridge that turns the agent's stream into events on it. */
  async #openEvents(): Promise<StrandsEventBridge> {
    const { options, labels } = this.context
    // After a recovery backfilled the log, the claim's figure is behind it, but never behind JetStream's,
    // which the writer takes the higher of (the backfilled events came from there).
    const writer = await this.context.openWriter(this.session, this.number, this.lastLoggedSeq)
    this.#writer = writer
    const emit = async (body: SessionEventBody) => {
      try {
        await writer.emit(body)
      } catch (err) {
        throw new TransientFailure('could not publish a session event', { cause: err })
      }
      options.metrics.events.inc({ ...labels, type: body.type })
    }
    this.#bridge = new StrandsEventBridge(emit, {
      ...(options.reasoningChunkChars !== undefined && { maxChars: options.reasoningChunkChars }),
      ...(options.reasoningChunkDelayMs !== undefined && { maxDelayMs: options.reasoningChunkDelayMs }),
      onToolFinished: ({ name, ok }) =>
        options.metrics.toolCalls.inc({ ...labels, tool: name, ok: String(ok) }),
    })
    return this.#bridge
  }

  #outcomeWriter(): OutcomeWriter {
    const { options, labels } = this.context
    return new OutcomeWriter({
      attempts: options.store.attempts,
      logger: options.logger,
      metrics: options.metrics,
      labels,
      maxDeliver: options.topology.env.PIPELINE_MAX_DELIVER,
      delivery: this.delivery,
      item: this.item,
      session: this.session,
      attempt: this.number,
      emit: async (body) => {
        if (this.#bridge) await this.#bridge.emit(body)
        else await this.#writer?.emit(body)
      },
      closeEvents: async () => {
        await this.#writer?.close()
      },
    })
  }

  async #runAgent(bridge: StrandsEventBridge, announced: Set<string>): Promise<AttemptResult> {
    const { options, agentName, labels } = this.context
    const { db, agent: definition } = options
    const { session, item, control } = this
    const claims: JwtClaims = {
      sub: session.user_id,
      role: 'authenticated',
      ...(item.user_email ? { email: item.user_email } : {}),
    }
    // The organisation and, unless the agent builds its own, the model's context in one round trip.
    const { organisation, context: builtContext } = await readOrganisationContext(
      db,
      claims,
      {
        organisationId: session.organisation_id,
        userId: session.user_id,
        queuedAt: session.queued_at,
        userContext: isPlainObject(session.context) ? session.context : {},
      },
      !definition.modelContext,
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
      options.logger.warn(
        { row_auto_apply: session.auto_apply, item_auto_apply: item.auto_apply },
        'the work item and the session disagree on auto-apply; proposals are not applied automatically',
      )
    }
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
      attempt: this.number,
      today: calendarDay(session.queued_at, organisation.timezone),
      currency: organisation.currency,
    }
    const proposals = new ProposalSink({
      session,
      agentType: definition.agentType,
      attempts: options.store.attempts,
      db,
      claims,
      autoApply,
      announced,
      emit: (body) => bridge.emit(body),
      signal: control.signal,
      logger: options.logger,
      metrics: options.metrics,
      labels,
    })
    const forTool = (toolName: string): AgentToolContext => ({
      session: info,
      db,
      logger: options.logger,
      signal: control.signal,
      toolName,
      // Without Kysely's per-statement lock: a tool's first read travels with BEGIN and the prelude, and
      // reads it starts together share a round trip (RLS and the transaction are the same).
      asUser: (fn) => db.asPipelined(claims, fn),
      id: (...parts: string[]) => deterministicUuid(session.id, ...parts),
      propose: (input) => proposals.propose(toolName, input),
      emit: (body) => bridge.emit(body),
      involve: (name) => void this.#involved.add(name),
    })
    const tools = bindTools(definition.tools, {
      forTool,
      reportTransient: (error) => control.stop({ kind: 'transient', error }),
      ...(options.toolDelayMs ? { delayMs: options.toolDelayMs } : {}),
    })
    const modelContext = definition.modelContext
      ? await definition.modelContext(forTool('model_context'))
      : (builtContext as Record<string, unknown>)
    const agent = new Agent({
      model: options.model,
      tools,
      systemPrompt: definition.systemPrompt,
      printer: false,
      name: agentName,
      toolExecutor: 'sequential',
    })
    const message = formatUserMessage({
      request: session.request,
      context: modelContext,
      agentType: definition.agentType,
    })
    const run = await this.#stream(agent, message, bridge)
    const stop = control.stopped
    if (stop) return stopOutcome(stop, options.timeoutMs)
    return runOutcome(run, { maxTurns: options.maxTurns, extraResult: proposals.resultFields() }, (err) =>
      options.logger.warn({ err }, 'the model failed'),
    )
  }

  /** Runs the agent to its end under the attempt's signal, timeout and turn limit, bridging its events. */
  async #stream(
    agent: Agent,
    message: ReturnType<typeof formatUserMessage>,
    bridge: StrandsEventBridge,
  ): Promise<{ result: AgentResult | undefined; error: unknown }> {
    const { options } = this.context
    const { control } = this
    const timer = setTimeout(() => control.stop({ kind: 'timeout' }), options.timeoutMs)
    let result: AgentResult | undefined
    let error: unknown
    let bridgeBroken = false
    try {
      const stream = agent.stream(message, {
        cancelSignal: control.signal,
        limits: { turns: options.maxTurns },
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
      error = err
    } finally {
      clearTimeout(timer)
      const accumulated = agent.metrics.accumulatedUsage
      this.#usage.inputTokens = accumulated.inputTokens
      this.#usage.outputTokens = accumulated.outputTokens
    }
    if (!bridgeBroken) await bridge.finish()
    return { result, error }
  }
}
