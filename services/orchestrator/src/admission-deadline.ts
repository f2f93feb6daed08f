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
  // One controller for both ends, the call's abort forwarded to it: AbortSignal.any tracks its sources
  // through weak references (followCompositeSignal, ~1% of the orchestrator's CPU per admission, and
  // more for the garbage collector) for a signal that lives a few milliseconds.
  const limit = new AbortController()
  const forward = () => limit.abort(callSignal.reason)
  if (callSignal.aborted) forward()
  else callSignal.addEventListener('abort', forward, { once: true })
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
  const signal = limit.signal
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
    callSignal.removeEventListener('abort', forward)
    if (onAbort) signal.removeEventListener('abort', onAbort)
  }
}
