import { Health } from '@psa/lifecycle'
import { LogCapture } from '@psa/test-kit'
import { describe, expect, it } from 'vitest'
import { CachedReadiness } from './readiness-cache.js'

describe('/readyz readiness', () => {
  it('runs one check for a burst of probes, reuses it for the TTL, and never returns error text', async () => {
    let pings = 0
    const health = new Health().addReadinessCheck('postgres', async () => {
      pings++
      await new Promise((r) => setTimeout(r, 20))
      throw new Error('connect ECONNREFUSED db.internal:5432 password=hunter2')
    })
    const logs = new LogCapture('gateway')
    const readiness = new CachedReadiness({ health, ttlMs: 60_000, logger: logs.logger })
    const reports = await Promise.all(Array.from({ length: 50 }, () => readiness.get()))
    expect(pings).toBe(1)
    await readiness.get()
    expect(pings).toBe(1)
    expect(reports[0]).toEqual({
      ready: false,
      checks: { postgres: { ok: false, latency_ms: expect.any(Number) } },
    })
    expect(JSON.stringify(reports)).not.toMatch(/ECONNREFUSED|db\.internal|hunter2/)
    // The reason is in the logs, once, without the password.
    const lines = logs.lines.filter((l) => l.msg === 'not ready')
    expect(lines).toHaveLength(1)
    expect(JSON.stringify(lines)).toContain('ECONNREFUSED')
    expect(JSON.stringify(logs.lines)).not.toContain('hunter2')
  })

  it('checks again after the TTL and says not ready at once when draining', async () => {
    let pings = 0
    const health = new Health().addReadinessCheck('postgres', () => {
      pings++
    })
    const readiness = new CachedReadiness({ health, ttlMs: 30, logger: new LogCapture('gateway').logger })
    expect((await readiness.get()).ready).toBe(true)
    await new Promise((r) => setTimeout(r, 40))
    expect((await readiness.get()).ready).toBe(true)
    expect(pings).toBe(2)
    health.markDraining()
    expect((await readiness.get()).ready).toBe(false)
    expect(pings).toBe(2)
  })
})
