/**
 * The codes a failed or cancelled agent session carries (its row's `error.code` and its `error` events),
 * written by the workers, the pipeline and the orchestrator. They are API like ERROR_CODES: clients branch
 * on them, so a code is never renamed or reused. A session that failed for a request-level reason carries
 * that ErrorCode instead (e.g. INTERNAL).
 */
export const SESSION_ERROR_CODES = {
  AGENT_TIMEOUT: 'AGENT_TIMEOUT',
  AGENT_TURN_LIMIT: 'AGENT_TURN_LIMIT',
  AGENT_TOKEN_LIMIT: 'AGENT_TOKEN_LIMIT',
  MODEL_ERROR: 'MODEL_ERROR',
  MODEL_REFUSED: 'MODEL_REFUSED',
  DEAD_LETTERED: 'DEAD_LETTERED',
  INVALID_REQUEST: 'INVALID_REQUEST',
  CANCELLED: 'CANCELLED',
  INTERNAL: 'INTERNAL',
} as const

export type SessionErrorCode = keyof typeof SESSION_ERROR_CODES
