import { answerText, extractResult } from '@psa/agent-models'
import { redactText } from '@psa/config'
import { SESSION_ERROR_CODES } from '@psa/errors'
import type { AgentResult } from '@strands-agents/sdk'
import type { AttemptStop } from './attempt-control.js'
import { isTransient } from './failures.js'

/** How an attempt ended, before anything is written. */
export type AttemptResult =
  | { kind: 'completed'; result: Record<string, unknown>; text: string }
  | { kind: 'failed'; code: string; message: string }
  | { kind: 'cancelled'; message: string }
  | { kind: 'retry'; error: unknown; shutdown: boolean }
  | { kind: 'stale' }

/** An error as a short, redacted sentence, safe for logs, events and the session row. */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const cause = err.cause instanceof Error ? ` (${err.cause.message})` : ''
    return redactText(`${err.message}${cause}`).slice(0, 1_000)
  }
  return redactText(String(err)).slice(0, 1_000)
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Why the attempt was stopped from outside the agent (cancel, timeout, shutdown, a transient failure). */
export function stopOutcome(stop: AttemptStop, timeoutMs: number): AttemptResult {
  switch (stop.kind) {
    case 'cancel':
      return { kind: 'cancelled', message: stop.message }
    case 'timeout':
      return {
        kind: 'failed',
        code: SESSION_ERROR_CODES.AGENT_TIMEOUT,
        message: `The request did not finish within ${Math.round(timeoutMs / 1000)} s`,
      }
    case 'shutdown':
      return { kind: 'retry', error: new Error('the worker is shutting down'), shutdown: true }
    case 'transient':
      return { kind: 'retry', error: stop.error, shutdown: false }
    case 'stale':
      return { kind: 'stale' }
  }
}

/** What the agent's own run amounts to: its answer, the model's failure, or the limit it stopped at. */
export function runOutcome(
  run: { result: AgentResult | undefined; error: unknown },
  options: { maxTurns: number; extraResult: Record<string, unknown> },
  onModelError: (err: unknown) => void,
): AttemptResult {
  if (run.error !== undefined) {
    if (isTransient(run.error)) return { kind: 'retry', error: run.error, shutdown: false }
    onModelError(run.error)
    return {
      kind: 'failed',
      code: SESSION_ERROR_CODES.MODEL_ERROR,
      message: `The model failed: ${describeError(run.error)}`,
    }
  }
  const { result } = run
  if (!result) {
    return { kind: 'failed', code: SESSION_ERROR_CODES.INTERNAL, message: 'The agent produced no result' }
  }
  switch (result.stopReason) {
    case 'endTurn':
    case 'stopSequence': {
      const text = answerText(result.lastMessage)
      const data = extractResult(result.lastMessage)
      const structured = data === undefined ? {} : isPlainObject(data) ? data : { data }
      return { kind: 'completed', text, result: { ...structured, summary: text, ...options.extraResult } }
    }
    case 'limitTurns':
      return {
        kind: 'failed',
        code: SESSION_ERROR_CODES.AGENT_TURN_LIMIT,
        message: `The agent did not finish within ${options.maxTurns} turns`,
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
