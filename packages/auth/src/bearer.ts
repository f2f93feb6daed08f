import { authFailure } from './reasons.js'

/**
 * What an `authorization` value can look like: a Node HTTP header (string, or an array for repeated
 * headers), or gRPC metadata (`metadata.get('authorization')` gives an array of strings or Buffers).
 */
export type AuthorizationValue = string | Uint8Array | readonly (string | Uint8Array)[] | null | undefined

/**
 * Far above any real Supabase access token (a few KB even with large metadata); refusing longer strings
 * before decoding keeps a hostile header from costing us base64 and JSON work.
 */
export const MAX_TOKEN_LENGTH = 16_384

// RFC 6750 §2.1: `Bearer` followed by a b64token. A JWT is base64url segments joined by dots, which fits.
const BEARER = /^bearer +([A-Za-z0-9\-._~+/]+=*) *$/i

/**
 * Extracts the token from `Authorization: Bearer <token>` (scheme matched case-insensitively, as RFC 9110
 * requires). Throws UNAUTHENTICATED with reason `missing_token` when there is no value, and
 * `invalid_authorization_header` when the value is not exactly one Bearer credential.
 */
export function extractBearerToken(value: AuthorizationValue): string {
  const values = (Array.isArray(value) ? value : value === null || value === undefined ? [] : [value]) as (
    | string
    | Uint8Array
  )[]
  if (values.length > 1) {
    throw authFailure(
      'invalid_authorization_header',
      'Send exactly one Authorization header; several were received',
    )
  }
  const first = values[0]
  const header = (typeof first === 'string' ? first : first ? Buffer.from(first).toString('utf8') : '').trim()
  if (header === '')
    throw authFailure('missing_token', 'An access token is required: send Authorization: Bearer <token>')
  if (header.length > MAX_TOKEN_LENGTH + 16) {
    throw authFailure('malformed_token', `The access token is longer than ${MAX_TOKEN_LENGTH} characters`)
  }
  const match = BEARER.exec(header)
  if (!match?.[1]) {
    throw authFailure('invalid_authorization_header', 'The Authorization header must be "Bearer <token>"')
  }
  return match[1]
}
