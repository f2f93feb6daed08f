import { AppError } from '@psa/errors'
import { StreamQuota } from '@psa/lifecycle'

export interface CallerLimitsOptions {
  /** RPCs per user per minute (a token bucket refilled continuously); more get RATE_LIMITED. */
  ratePerMinute: number
  /** Open StreamSessionEvents calls per user; more get TOO_MANY_STREAMS. */
  maxStreamsPerUser: number
  now?: () => number
}

interface Bucket {
  tokens: number
  at: number
}

// Buckets idle long enough to be full again carry no information; sweep them so the map stays bounded.
const SWEEP_EVERY = 1_000

/**
 * Per-user limits on the gRPC API itself. The gateway limits its own callers, but the orchestrator is
 * reachable by direct gRPC clients too (it is documented for them), so the limits that protect it live here,
 * where no caller can go around them.
 */
export class CallerLimits {
  readonly #rate: number
  readonly #now: () => number
  readonly #buckets = new Map<string, Bucket>()
  readonly #streams: StreamQuota
  #calls = 0

  constructor(options: CallerLimitsOptions) {
    this.#rate = options.ratePerMinute
    this.#streams = new StreamQuota(options.maxStreamsPerUser)
    this.#now = options.now ?? Date.now
  }

  /** Takes one call from the user's budget, or throws RATE_LIMITED with the seconds to wait. */
  take(userId: string): void {
    const now = this.#now()
    if (++this.#calls % SWEEP_EVERY === 0) this.#sweep(now)
    const perMs = this.#rate / 60_000
    const bucket = this.#buckets.get(userId) ?? { tokens: this.#rate, at: now }
    bucket.tokens = Math.min(this.#rate, bucket.tokens + (now - bucket.at) * perMs)
    bucket.at = now
    this.#buckets.set(userId, bucket)
    if (bucket.tokens < 1) {
      const retryAfterS = Math.max(1, Math.ceil((1 - bucket.tokens) / perMs / 1000))
      throw new AppError(
        'RATE_LIMITED',
        `Too many calls: at most ${this.#rate} a minute; retry in ${retryAfterS} s`,
        {
          details: { limit_per_minute: this.#rate, retry_after_s: retryAfterS },
        },
      )
    }
    bucket.tokens -= 1
  }

  /** Counts an open event stream against the user's cap (TOO_MANY_STREAMS); call the result when it ends. */
  openStream(userId: string): () => void {
    return this.#streams.claim(userId)
  }

  #sweep(now: number): void {
    const fullAfterMs = 60_000
    for (const [user, bucket] of this.#buckets) if (now - bucket.at > fullAfterMs) this.#buckets.delete(user)
  }
}
