import { AppError } from '@psa/errors'
import { type FlattenedJWSInput, type JWSHeaderParameters, type JWTPayload, jwtVerify } from 'jose'
import { LRUCache } from 'lru-cache'
import { type AuthorizationValue, extractBearerToken, MAX_TOKEN_LENGTH } from './bearer.js'
import { supabaseClaimsSchema, toVerifiedUser, type VerifiedUser } from './claims.js'
import { type JwksCacheOptions, type JwksErrorListener, JwksKeySource } from './jwks.js'
import { type AuthFailureReason, authFailure } from './reasons.js'

/** Supabase Auth puts this audience on every signed-in user's access token. */
export const SUPABASE_AUDIENCE = 'authenticated'

export type VerificationAlgorithm = 'ES256' | 'RS256' | 'HS256'

export interface AccessTokenVerifierOptions {
  /** The project URL, e.g. `https://abcd.supabase.co`; in local development mode, the gateway's origin. */
  supabaseUrl: string
  /** Where the public keys are; default `<supabaseUrl>/auth/v1/.well-known/jwks.json`. */
  jwksUrl?: string
  /**
   * The legacy shared JWT secret. Only when it is given are HS256 tokens accepted, and only with this
   * secret: without it, an HS256 token is refused outright (which is what stops key-confusion attacks).
   */
  jwtSecret?: string
  /** Leeway for `exp`, `nbf` and `iat` against clock skew between us and Supabase. Default 30 s. */
  clockToleranceSec?: number
  jwks?: JwksCacheOptions
  /** Told whenever a JWKS fetch fails (log it: tokens are failing or running on stale keys). */
  onJwksError?: JwksErrorListener
  /**
   * Tokens verified recently are remembered, so a client sending the same token on every request pays
   * for one signature check rather than one per request (an ES256 check costs ~0.2 ms of CPU, and every
   * request is checked by the gateway and again by the orchestrator). Entries live until the token
   * expires, at most `ttlMs`. Only successes are cached. `maxEntries: 0` turns it off.
   */
  cache?: { maxEntries?: number; ttlMs?: number }
}

export interface AccessTokenVerifier {
  /** `<supabaseUrl>/auth/v1`: the only `iss` accepted. */
  readonly issuer: string
  readonly audience: typeof SUPABASE_AUDIENCE
  readonly jwksUrl: string
  readonly algorithms: readonly VerificationAlgorithm[]
  /**
   * Verifies a raw access token (no `Bearer ` prefix). Rejects with AppError UNAUTHENTICATED and
   * `details.reason` (see AUTH_FAILURE_REASONS), or UNAVAILABLE / `jwks_unavailable`.
   */
  verify(token: string | null | undefined): Promise<VerifiedUser>
  /** `extractBearerToken` then `verify`: pass an HTTP `authorization` header or gRPC metadata values. */
  verifyAuthorization(value: AuthorizationValue): Promise<VerifiedUser>
  /**
   * Loads the signing keys if they are missing or stale (no-op while fresh). For readiness checks and
   * warm-up; rejects with `jwks_unavailable` only when no usable keys are held.
   */
  ensureKeys(): Promise<void>
}

/** Strips trailing slashes so `https://x.supabase.co/` and `https://x.supabase.co` give the same issuer. */
export function normaliseSupabaseUrl(url: string): string {
  return url.replace(/\/+$/, '')
}

export function defaultJwksUrl(supabaseUrl: string): string {
  return `${normaliseSupabaseUrl(supabaseUrl)}/auth/v1/.well-known/jwks.json`
}

// jose's claim-check failures, by the claim they concern.
function claimFailure(err: { claim?: unknown; reason?: unknown }, cause: unknown): AppError {
  const claim = typeof err.claim === 'string' ? err.claim : undefined
  switch (claim) {
    case 'aud':
      return authFailure(
        'invalid_audience',
        `The access token is not meant for this API (audience must be "${SUPABASE_AUDIENCE}")`,
        { cause },
      )
    case 'iss':
      return authFailure('invalid_issuer', "The access token was not issued by this project's Auth", {
        cause,
      })
    case 'nbf':
      return authFailure('token_not_yet_valid', 'The access token is not valid yet', { cause })
    case 'iat':
      if (err.reason === 'check_failed') {
        return authFailure('token_not_yet_valid', 'The access token was issued in the future', { cause })
      }
      break
  }
  const name = claim ?? 'payload'
  return authFailure('invalid_claims', `The access token's "${name}" claim is missing or invalid`, {
    ...(claim === undefined ? {} : { claim }),
    cause,
  })
}

// jose errors by their stable `code` (not instanceof, so a second copy of jose in the tree cannot break this).
const JOSE_FAILURES: Record<string, [AuthFailureReason, string]> = {
  ERR_JWT_EXPIRED: ['token_expired', 'The access token has expired; refresh the session'],
  ERR_JWS_SIGNATURE_VERIFICATION_FAILED: ['invalid_signature', 'The access token signature is invalid'],
  ERR_JOSE_ALG_NOT_ALLOWED: [
    'unsupported_algorithm',
    'The access token is signed with an algorithm this API does not accept',
  ],
  ERR_JOSE_NOT_SUPPORTED: [
    'unsupported_algorithm',
    'The access token is signed with an algorithm this API does not accept',
  ],
  ERR_JWKS_NO_MATCHING_KEY: [
    'unknown_key',
    "The access token's signing key (kid) is not one of the project's keys",
  ],
  ERR_JWKS_MULTIPLE_MATCHING_KEYS: [
    'unknown_key',
    'The access token names no key (kid) and several keys could have signed it',
  ],
}

/** Turns whatever jwtVerify threw into an AppError with a stable reason. */
function toAuthFailure(err: unknown): AppError {
  if (err instanceof AppError) return err
  const code = String((err as { code?: unknown } | null)?.code)
  if (code === 'ERR_JWT_CLAIM_VALIDATION_FAILED')
    return claimFailure(err as { claim?: unknown; reason?: unknown }, err)
  const known = JOSE_FAILURES[code]
  if (known) return authFailure(known[0], known[1], { cause: err })
  // ERR_JWS_INVALID / ERR_JWT_INVALID (not three base64url parts, header or payload not JSON objects), and
  // anything unforeseen: a 401 that carries the cause for the logs, never a 500 from a hostile header.
  return authFailure('malformed_token', 'The access token is not a well-formed JWT', { cause: err })
}

export function createAccessTokenVerifier(options: AccessTokenVerifierOptions): AccessTokenVerifier {
  const supabaseUrl = normaliseSupabaseUrl(options.supabaseUrl)
  const issuer = `${supabaseUrl}/auth/v1`
  const jwksUrl = options.jwksUrl ?? defaultJwksUrl(supabaseUrl)
  const toleranceSec = options.clockToleranceSec ?? 30
  if (!Number.isFinite(toleranceSec) || toleranceSec < 0)
    throw new TypeError('clockToleranceSec must be >= 0')
  const secret = options.jwtSecret ? new TextEncoder().encode(options.jwtSecret) : undefined
  const algorithms: VerificationAlgorithm[] = secret ? ['ES256', 'RS256', 'HS256'] : ['ES256', 'RS256']
  const keys = new JwksKeySource(new URL(jwksUrl), options.jwks, options.onJwksError)

  // jose rejects any `alg` outside `algorithms` before this runs, so HS256 only gets here with a secret set,
  // and then never reaches the JWKS (whose public keys an attacker could use as an HMAC secret).
  const getKey = (header: JWSHeaderParameters, token: FlattenedJWSInput) =>
    header.alg === 'HS256' && secret ? secret : keys.getKey(header, token)

  const cacheTtlMs = options.cache?.ttlMs ?? 5 * 60_000
  const cache =
    (options.cache?.maxEntries ?? 10_000) > 0
      ? new LRUCache<string, VerifiedUser>({ max: options.cache?.maxEntries ?? 10_000 })
      : undefined

  const verify = async (token: string | null | undefined): Promise<VerifiedUser> => {
    if (typeof token === 'string') {
      const hit = cache?.get(token)
      if (hit && hit.expiresAt.getTime() > Date.now()) return hit
    }
    const user = await verifyUncached(token)
    const ttl = Math.min(cacheTtlMs, user.expiresAt.getTime() - Date.now())
    if (cache && ttl > 0) cache.set(token as string, user, { ttl })
    return user
  }

  const verifyUncached = async (token: string | null | undefined): Promise<VerifiedUser> => {
    if (token === null || token === undefined || token === '') {
      throw authFailure('missing_token', 'An access token is required')
    }
    if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) {
      throw authFailure('malformed_token', 'The access token is not a well-formed JWT')
    }
    let payload: JWTPayload
    try {
      ;({ payload } = await jwtVerify(token, getKey, {
        algorithms,
        audience: SUPABASE_AUDIENCE,
        issuer,
        clockTolerance: toleranceSec,
        requiredClaims: ['exp', 'sub', 'role'],
      }))
    } catch (err) {
      throw toAuthFailure(err)
    }
    // jose checks `iat` only together with maxTokenAge; a token from the future means a broken or forged clock.
    if (typeof payload.iat === 'number' && payload.iat > Date.now() / 1000 + toleranceSec) {
      throw authFailure('token_not_yet_valid', 'The access token was issued in the future')
    }
    const parsed = supabaseClaimsSchema.safeParse(payload)
    if (!parsed.success) {
      const claim = parsed.error.issues[0]?.path[0]
      const name = claim === undefined ? 'payload' : String(claim)
      throw authFailure('invalid_claims', `The access token's "${name}" claim is missing or invalid`, {
        claim: name,
        cause: parsed.error,
      })
    }
    return toVerifiedUser(parsed.data, payload)
  }

  return {
    issuer,
    audience: SUPABASE_AUDIENCE,
    jwksUrl,
    algorithms,
    verify,
    verifyAuthorization: async (value) => verify(extractBearerToken(value)),
    ensureKeys: () => keys.ensureKeys(),
  }
}
