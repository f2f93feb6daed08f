import type { SessionEventBody, SessionRow } from '@psa/agent-pipeline'
import { isPlainObject } from './stop-reasons.js'

export interface Usage {
  inputTokens: number
  outputTokens: number
}

/** How a session ended, as its last events tell it. */
export type TerminalOutcome =
  | {
      status: 'completed'
      result: unknown
      text: string
      usage: Usage
      agentsInvolved: string[]
      processingTimeMs: number
    }
  | { status: 'failed'; code: string; message: string }
  | { status: 'cancelled'; message: string }

/**
 * A session's last events: the final result or the error, then the terminal status change. The one place
 * they are built, for an attempt that finishes and for one that repairs the log of a session a crashed
 * attempt finished.
 */
export function terminalEvents(outcome: TerminalOutcome, attempt: number): SessionEventBody[] {
  const status = (message: string): SessionEventBody => ({
    type: 'status_changed',
    data: { status: outcome.status, message, queue_position: 0, attempt },
  })
  switch (outcome.status) {
    case 'completed':
      return [
        {
          type: 'final_result',
          data: {
            result: outcome.result,
            text: outcome.text,
            usage: {
              input_tokens: outcome.usage.inputTokens,
              output_tokens: outcome.usage.outputTokens,
              total_tokens: outcome.usage.inputTokens + outcome.usage.outputTokens,
            },
            agents_involved: outcome.agentsInvolved,
            processing_time_ms: outcome.processingTimeMs,
          },
        },
        status('Completed'),
      ]
    case 'failed':
      return [
        { type: 'error', data: { code: outcome.code, message: outcome.message, retryable: false } },
        status(outcome.message),
      ]
    case 'cancelled':
      return [status(outcome.message)]
  }
}

/**
 * The last events a finished session's log still lacks: none once its terminal status is logged, and never
 * a second final result (or error) when an attempt died between publishing that and the status.
 */
export function missingTerminalEvents(
  outcome: TerminalOutcome,
  attempt: number,
  logged: { result: boolean; status: boolean },
): SessionEventBody[] {
  if (logged.status) return []
  return terminalEvents(outcome, attempt).filter((event) => event.type === 'status_changed' || !logged.result)
}

/** The outcome a finished session's row records. */
export function recordedOutcome(session: SessionRow): TerminalOutcome {
  const error = (session.error ?? {}) as { code?: string; message?: string }
  switch (session.status) {
    case 'completed': {
      const result = session.result
      return {
        status: 'completed',
        result,
        text: isPlainObject(result) && typeof result.summary === 'string' ? result.summary : '',
        usage: { inputTokens: session.input_tokens, outputTokens: session.output_tokens },
        agentsInvolved: session.agents_involved,
        processingTimeMs: session.processing_time_ms ?? 0,
      }
    }
    case 'cancelled':
      return { status: 'cancelled', message: error.message ?? '' }
    default:
      return {
        status: 'failed',
        code: error.code ?? 'INTERNAL',
        message: error.message ?? 'The request failed',
      }
  }
}
