import type { AttemptStore, SessionEventBody, SessionRow, WorkItem } from '@psa/agent-pipeline'
import type { Logger } from '@psa/config'
import { SESSION_ERROR_CODES } from '@psa/errors'
import type { AgentTypeName } from '@psa/proto'
import type { Delivery } from './delivery.js'
import type { RuntimeMetrics } from './metrics.js'
import { type AttemptResult, describeError } from './stop-reasons.js'
import { type TerminalOutcome, terminalEvents, type Usage } from './terminal-events.js'

export interface OutcomeWriterOptions {
  attempts: AttemptStore
  logger: Logger
  metrics: RuntimeMetrics
  labels: { agent_type: AgentTypeName }
  /** Past this delivery a transient failure is dead-lettered instead of retried. */
  maxDeliver: number
  delivery: Delivery
  item: WorkItem
  session: SessionRow
  attempt: number
  /** The attempt's event stream (through the bridge once it exists, so reasoning is flushed first). */
  emit(body: SessionEventBody): Promise<void>
  /** Flushes and closes the attempt's event writer, if it was opened. */
  closeEvents(): Promise<void>
}

/**
 * Writes how an attempt ended: the session row (fenced by the attempt), the last events, and the message's
 * acknowledgement. Success, cancel and permanent failures are written and acked; transient failures hand
 * the message back with a growing delay, the last delivery's is dead-lettered; a stale attempt (a newer one
 * owns the session) writes nothing.
 */
export class OutcomeWriter {
  constructor(readonly options: OutcomeWriterOptions) {}

  async write(outcome: AttemptResult, usage: Usage, agentsInvolved: string[]): Promise<void> {
    const { attempts, session, attempt, delivery, logger: log, metrics, labels } = this.options
    const processingTimeMs = delivery.elapsedMs()
    switch (outcome.kind) {
      case 'completed': {
        const done = await attempts.complete(session.id, attempt, {
          result: outcome.result,
          agentsInvolved,
          processingTimeMs,
          inputTokens: usage.inputTokens,
          outputTokens: usage.outputTokens,
        })
        if (!done) return this.#stale()
        await this.#finish({
          status: 'completed',
          result: outcome.result,
          text: outcome.text,
          usage,
          agentsInvolved,
          processingTimeMs,
        })
        log.info(
          { attempt, processing_time_ms: processingTimeMs, proposals: outcome.result.proposal_ids },
          'agent request completed',
        )
        delivery.settle('ack', 'completed')
        return
      }
      case 'failed': {
        const done = await attempts.fail(
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
        if (!done) return this.#stale()
        metrics.failures.inc({ ...labels, code: outcome.code })
        await this.#finish({ status: 'failed', code: outcome.code, message: outcome.message })
        log.warn({ code: outcome.code, error_message: outcome.message }, 'agent request failed')
        delivery.settle('ack', `failed_${outcome.code.toLowerCase()}`)
        return
      }
      case 'cancelled': {
        const done = await attempts.markCancelled(session.id, attempt, outcome.message, processingTimeMs)
        if (!done) return this.#stale()
        await this.#finish({ status: 'cancelled', message: outcome.message })
        log.info({ reason: outcome.message }, 'agent request cancelled')
        delivery.settle('ack', 'cancelled')
        return
      }
      case 'stale':
        return this.#stale()
      case 'retry':
        if (!outcome.shutdown && delivery.count >= this.options.maxDeliver) {
          return this.#deadLetter(outcome.error)
        }
        return this.#handBack(outcome.error, outcome.shutdown)
    }
  }

  /** The last events; best effort (each tried, failures ignored) once the outcome is recorded anyway. */
  async #finish(outcome: TerminalOutcome, bestEffort = false): Promise<void> {
    const attempt = (step: () => Promise<void>) => (bestEffort ? step().catch(() => {}) : step())
    for (const event of terminalEvents(outcome, this.options.attempt))
      await attempt(() => this.options.emit(event))
    await attempt(() => this.options.closeEvents())
  }

  #stale(): void {
    // A newer attempt owns the session; its delivery of this message is the live one, so leave it alone.
    const { logger, metrics, labels, attempt } = this.options
    logger.warn({ attempt }, 'attempt is stale (a newer attempt owns the session); stopping without writing')
    metrics.messages.inc({ ...labels, action: 'none', reason: 'stale_attempt' })
  }

  async #handBack(error: unknown, shutdown: boolean): Promise<void> {
    const { delivery, logger: log, metrics, labels, attempt } = this.options
    const delay = shutdown ? 0 : delivery.retryDelayMs()
    const why = shutdown ? 'this worker is shutting down' : `a temporary problem (${describeError(error)})`
    if (!shutdown) metrics.failures.inc({ ...labels, code: 'TRANSIENT' })
    log.warn(
      { err: error, deliveries: delivery.count, retry_in_ms: delay },
      'handing the request back to the queue',
    )
    // Tell watchers why nothing happens for a while; if the broker is what failed, this fails too.
    await Promise.race([
      (async () => {
        await this.options.emit({
          type: 'status_changed',
          data: {
            status: 'processing',
            message: `Interrupted by ${why}; it will be retried${delay ? ` in ${Math.round(delay / 1000)} s` : ''}`,
            queue_position: 0,
            attempt,
          },
        })
        await this.options.closeEvents()
      })(),
      new Promise((resolve) => setTimeout(resolve, 2_000).unref()),
    ]).catch((err: unknown) => log.debug({ err }, 'could not publish the interruption'))
    delivery.settle('nak', shutdown ? 'handed_back_on_shutdown' : 'transient_failure', delay)
  }

  async #deadLetter(error: unknown): Promise<void> {
    const { attempts, session, item, attempt, delivery, logger, metrics, labels } = this.options
    const reason = describeError(error)
    let recorded: boolean
    try {
      const result = await attempts.deadLetter({
        sessionId: session.id,
        organisationId: session.organisation_id,
        agentType: labels.agent_type,
        payload: item,
        reason,
        deliveries: delivery.count,
      })
      recorded = result.sessionFailed
    } catch (err) {
      // Could not record it: leave the message unacked so JetStream's max-deliveries advisory reaches the
      // orchestrator, which dead-letters it once the database is back.
      logger.error({ err }, 'could not record the dead letter; leaving it to the max-deliveries advisory')
      delivery.settle('nak', 'dead_letter_deferred')
      return
    }
    metrics.failures.inc({ ...labels, code: SESSION_ERROR_CODES.DEAD_LETTERED })
    if (recorded) {
      const message = `The request could not be processed after ${delivery.count} attempts: ${reason}`
      await this.#finish({ status: 'failed', code: SESSION_ERROR_CODES.DEAD_LETTERED, message }, true)
    }
    logger.error({ attempt, deliveries: delivery.count, reason }, 'agent request dead-lettered')
    delivery.settle('term', 'dead_lettered')
  }
}
