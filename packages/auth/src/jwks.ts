import {
  type CryptoKey,
  createLocalJWKSet,
  createRemoteJWKSet,
  type ExportedJWKSCache,
  type FlattenedJWSInput,
  type JWKSCacheInput,
  type JWSHeaderParameters,
  jwksCache,
} from 'jose'
import { authFailure } from './reasons.js'

export interface JwksCacheOptions {
  /** Abort a JWKS request after this long. Default 5 s (jose's default). */
  timeoutMs?: number
  /**
   * After a successful fetch, a token with an unknown `kid` triggers a refetch only once this has passed:
   * key rotation is picked up, but random `kid`s cannot make us hammer the endpoint. Default 30 s.
   */
  cooldownMs?: number
  /** Refetch keys older than this. Default 10 min, the time Supabase's edge caches the JWKS for. */
  cacheMaxAgeMs?: number
  /**
   * While the JWKS endpoint fails, keep verifying with the last keys we fetched for this much longer than
   * `cacheMaxAgeMs`. Default 1 h, Supabase's default access-token lifetime: tokens issued before an outage
   * keep working for their whole life. 0 turns this off.
   */
  staleIfErrorMs?: number
  /**
   * After a failed fetch, wait this long before trying the endpoint again; meanwhile requests use the
   * stale keys or fail at once instead of each waiting for a timeout. Default 5 s.
   */
  retryAfterFailureMs?: number
}

export type JwksErrorListener = (error: unknown, servingStaleKeys: boolean) => void

type KeyResolver = (header: JWSHeaderParameters, token: FlattenedJWSInput) => Promise<CryptoKey>

// Token problems, not endpoint problems: they must reach the caller as unknown_key, never trigger fallback.
const KEY_SELECTION_ERRORS = new Set(['ERR_JWKS_NO_MATCHING_KEY', 'ERR_JWKS_MULTIPLE_MATCHING_KEYS'])

function isKeySelectionError(err: unknown): boolean {
  return KEY_SELECTION_ERRORS.has((err as { code?: unknown } | null)?.code as string)
}

/**
 * jose's remote JWKS (fetch, cache, cooldown, rotation on unknown `kid`) plus what it lacks for a service
 * that must stay up: stale-if-error and fail-fast backoff while the endpoint is down.
 */
export class JwksKeySource {
  readonly url: URL
  private readonly remote: ReturnType<typeof createRemoteJWKSet>
  // jose writes `uat` (last successful fetch) and `jwks` here; it is how we know the age of what we hold.
  private readonly cache: JWKSCacheInput = {}
  private readonly cacheMaxAgeMs: number
  private readonly staleIfErrorMs: number
  private readonly retryAfterFailureMs: number
  private readonly onError: JwksErrorListener | undefined
  private retryAt = 0
  private lastFailure: unknown
  private stale: { uat: number; resolve: KeyResolver } | undefined

  constructor(url: URL, options: JwksCacheOptions = {}, onError?: JwksErrorListener) {
    this.url = url
    this.cacheMaxAgeMs = options.cacheMaxAgeMs ?? 600_000
    this.staleIfErrorMs = options.staleIfErrorMs ?? 3_600_000
    this.retryAfterFailureMs = options.retryAfterFailureMs ?? 5_000
    this.onError = onError
    this.remote = createRemoteJWKSet(url, {
      timeoutDuration: options.timeoutMs ?? 5_000,
      cooldownDuration: options.cooldownMs ?? 30_000,
      cacheMaxAge: this.cacheMaxAgeMs,
      [jwksCache]: this.cache,
    })
  }

  /** The key for a token's header; throws jose's key-selection errors, or AppError `jwks_unavailable`. */
  readonly getKey = async (header: JWSHeaderParameters, token: FlattenedJWSInput): Promise<CryptoKey> => {
    if (Date.now() < this.retryAt) return this.fallback(this.lastFailure)(header, token)
    try {
      return await this.remote(header, token)
    } catch (err) {
      if (isKeySelectionError(err)) throw err
      return this.failed(err)(header, token)
    }
  }

  /**
   * Makes sure keys are loaded: resolves at once while they are fresh, fetches otherwise. Resolves when
   * stale keys are still usable; throws `jwks_unavailable` when we have nothing to verify with.
   */
  async ensureKeys(): Promise<void> {
    if (this.remote.fresh) return
    if (Date.now() < this.retryAt) {
      this.fallback(this.lastFailure)
      return
    }
    try {
      await this.remote.reload()
    } catch (err) {
      this.failed(err)
    }
  }

  private failed(err: unknown): KeyResolver {
    this.retryAt = Date.now() + this.retryAfterFailureMs
    this.lastFailure = err
    const stale = this.staleResolver()
    try {
      this.onError?.(err, stale !== undefined)
    } catch {
      // A failing log call must not turn a JWKS outage into a different error for the caller.
    }
    return this.fallback(err)
  }

  private fallback(cause: unknown): KeyResolver {
    const stale = this.staleResolver()
    if (stale) return stale
    throw authFailure(
      'jwks_unavailable',
      'The keys that sign access tokens could not be loaded; try again shortly',
      { cause },
    )
  }

  private staleResolver(): KeyResolver | undefined {
    const cached = this.cache as Partial<ExportedJWKSCache>
    if (cached.uat === undefined || cached.jwks === undefined) return undefined
    if (Date.now() - cached.uat > this.cacheMaxAgeMs + this.staleIfErrorMs) return undefined
    if (this.stale?.uat !== cached.uat)
      this.stale = { uat: cached.uat, resolve: createLocalJWKSet(cached.jwks) }
    return this.stale.resolve
  }
}
