import { AppError } from '@psa/errors'
import { describe, expect, it } from 'vitest'
import { withAdmissionDeadline } from './admission-deadline.js'

describe('withAdmissionDeadline', () => {
  it('answers UNAVAILABLE at the limit and aborts the admission it gave up on', async () => {
    let seen: AbortSignal | undefined
    const started = performance.now()
    const outcome = withAdmissionDeadline(new AbortController().signal, 100, (signal) => {
      seen = signal
      return new Promise<never>(() => {})
    })
    await expect(outcome).rejects.toMatchObject({
      code: 'UNAVAILABLE',
      details: { reason: 'admission_timeout', timeout_ms: 100 },
    })
    expect(performance.now() - started).toBeLessThan(1_000)
    expect(seen?.aborted).toBe(true)
  })

  it('returns what the admission returns in time, and passes the call ending on', async () => {
    await expect(withAdmissionDeadline(new AbortController().signal, 1_000, async () => 'ok')).resolves.toBe(
      'ok',
    )
    const call = new AbortController()
    const outcome = withAdmissionDeadline(call.signal, 10_000, () => new Promise<never>(() => {}))
    call.abort(new AppError('CANCELLED', 'The client cancelled the call'))
    await expect(outcome).rejects.toMatchObject({ code: 'CANCELLED' })
  })
})
