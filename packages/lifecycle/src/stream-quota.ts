import { AppError } from '@psa/errors'

/**
 * A cap on the long-lived streams (SSE, gRPC server streams) one user holds open at once. Each open stream
 * holds a listener, periodic database reads and an upstream stream, so an unbounded number per user is a
 * cheap way to exhaust a service. `claim` before the stream starts (so the refusal is an ordinary error),
 * and call what it returns when the stream ends; a second call is harmless.
 */
export class StreamQuota {
  readonly #open = new Map<string, number>()

  constructor(readonly maxPerUser: number) {}

  /** Counts one more open stream for the user, or throws TOO_MANY_STREAMS. */
  claim(userId: string): () => void {
    const open = this.#open.get(userId) ?? 0
    if (open >= this.maxPerUser) {
      throw new AppError(
        'TOO_MANY_STREAMS',
        `You have ${open} event streams open (limit ${this.maxPerUser}); close one before opening another`,
        { details: { open, limit: this.maxPerUser } },
      )
    }
    this.#open.set(userId, open + 1)
    let released = false
    return () => {
      if (released) return
      released = true
      const left = (this.#open.get(userId) ?? 1) - 1
      if (left <= 0) this.#open.delete(userId)
      else this.#open.set(userId, left)
    }
  }

  /** Users holding at least one stream. */
  get users(): number {
    return this.#open.size
  }
}
