import { AppError } from '@psa/errors'

/**
 * A failure that will likely go away on its own (database or broker unreachable, a statement timeout, a
 * serialisation conflict, a throttled model): the request is handed back to the queue and retried later
 * instead of failing the session.
 */
export class TransientFailure extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options)
    this.name = 'TransientFailure'
  }
}

const TRANSIENT_PG_CODES = new Set(['40001', '40P01'])

function pgCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' ? code : undefined
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN'])

/** Whether `err` is worth retrying later rather than failing the session now. */
export function isTransient(err: unknown): boolean {
  if (err instanceof TransientFailure) return true
  if (err instanceof AppError) {
    if (err.code === 'UNAVAILABLE' || err.code === 'DEADLINE_EXCEEDED') return true
    if (err.code === 'CONFLICT' && TRANSIENT_PG_CODES.has(pgCode(err.cause) ?? '')) return true
    return false
  }
  const name = (err as { name?: unknown } | null)?.name
  // nats.js raises these when the broker is unreachable or slow; the SDK raises ModelThrottledError after
  // its own retries gave up.
  if (
    name === 'TimeoutError' ||
    name === 'ConnectionError' ||
    name === 'RequestError' ||
    name === 'NoRespondersError' ||
    name === 'ClosedConnectionError' ||
    name === 'DrainingConnectionError'
  ) {
    return true
  }
  if (name === 'ModelThrottledError') return true
  const code = pgCode(err)
  return code !== undefined && NETWORK_CODES.has(code)
}
