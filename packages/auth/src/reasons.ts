import { AppError } from '@psa/errors'

/**
 * Why a token was refused. These strings are API (`error.details.reason`): clients and dashboards branch on
 * them, so they are never renamed. Every reason is UNAUTHENTICATED (HTTP 401, gRPC 16) except
 * `jwks_unavailable`, which is UNAVAILABLE (HTTP 503, gRPC 14): the token may be perfectly good and the
 * fault is ours, so the client must retry rather than throw its session away.
 */
export const AUTH_FAILURE_REASONS = [
  'missing_token',
  'invalid_authorization_header',
  'malformed_token',
  'token_expired',
  'token_not_yet_valid',
  'invalid_audience',
  'invalid_issuer',
  'invalid_signature',
  'unsupported_algorithm',
  'unknown_key',
  'invalid_claims',
  'jwks_unavailable',
] as const

export type AuthFailureReason = (typeof AUTH_FAILURE_REASONS)[number]

export interface AuthFailureDetails {
  reason: AuthFailureReason
  /** For `invalid_claims`: the claim that failed (e.g. `sub`). */
  claim?: string
}

/** Builds the AppError for a refused token; `jwks_unavailable` becomes UNAVAILABLE, the rest UNAUTHENTICATED. */
export function authFailure(
  reason: AuthFailureReason,
  message: string,
  options: { claim?: string; cause?: unknown } = {},
): AppError {
  const details: AuthFailureDetails = {
    reason,
    ...(options.claim === undefined ? {} : { claim: options.claim }),
  }
  return new AppError(reason === 'jwks_unavailable' ? 'UNAVAILABLE' : 'UNAUTHENTICATED', message, {
    details: { ...details },
    ...(options.cause === undefined ? {} : { cause: options.cause }),
  })
}

/** The reason of an AppError produced by this package, or undefined for any other error. */
export function authFailureReason(err: unknown): AuthFailureReason | undefined {
  if (!(err instanceof AppError) || err.details === undefined || Array.isArray(err.details)) return undefined
  const reason = (err.details as { reason?: unknown }).reason
  return typeof reason === 'string' && (AUTH_FAILURE_REASONS as readonly string[]).includes(reason)
    ? (reason as AuthFailureReason)
    : undefined
}

/**
 * The `WWW-Authenticate` value RFC 6750 §3 asks a 401 to carry, or undefined when the error is not a 401
 * from this package (a 503 `jwks_unavailable` gets `Retry-After` instead, not a challenge).
 */
export function bearerChallenge(err: unknown): string | undefined {
  const reason = authFailureReason(err)
  if (reason === undefined || reason === 'jwks_unavailable') return undefined
  // No credentials at all: a bare challenge, no error code (RFC 6750 §3.1).
  if (reason === 'missing_token') return 'Bearer'
  const code = reason === 'invalid_authorization_header' ? 'invalid_request' : 'invalid_token'
  const description = (err as AppError).message.replace(/["\\]/g, "'")
  return `Bearer error="${code}", error_description="${description}"`
}
