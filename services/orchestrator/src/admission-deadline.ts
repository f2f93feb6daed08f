import { AppError } from '@psa/errors'

/**
 * Runs one admission under a time limit: a submit while Postgres is frozen or unreachable answers promptly
 * with UNAVAILABLE (the gateway's 503 with Retry-After) instead of holding the caller until its own deadline.
 * `run` gets a signal aborted at the limit or when the call ends, which takes the request out of the batch
 * line or rolls its transaction back before anything is published (`admit`).
 */
export async function withAdmissionDeadline<T>(
  callSignal: AbortSignal,
  timeoutMs: number,
  run: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const limit = new AbortController()
  const timer = setTimeout(
    () =>
      limit.abort(
        new AppError(
          'UNAVAILABLE',
          'The request could not be admitted in time (the database is slow or unavailable); retry in a few seconds with the same session_id',
          { details: { reason: 'admission_timeout', timeout_ms: timeoutMs } },
        ),
      ),
    timeoutMs,
  )
  const signal = AbortSignal.any([callSignal, limit.signal])
  let onAbort: (() => void) | undefined
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => reject(signal.reason)
    if (signal.aborted) onAbort()
    else signal.addEventListener('abort', onAbort, { once: true })
  })
  const running = run(signal)
  // Once the caller has its answer, the admission may still settle (or never, while Postgres is frozen).
  running.catch(() => {})
  aborted.catch(() => {})
  try {
    return await Promise.race([running, aborted])
  } finally {
    clearTimeout(timer)
    if (onAbort) signal.removeEventListener('abort', onAbort)
  }
}
