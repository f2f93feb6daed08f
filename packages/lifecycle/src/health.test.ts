import { describe, expect, it } from 'vitest'
import { Health } from './health.js'

describe('Health', () => {
  it('is ready only when every check passes', async () => {
    const health = new Health({ checkTimeoutMs: 50 })
    let dbUp = true
    health.addReadinessCheck('postgres', () => {
      if (!dbUp) throw new Error('connection refused')
    })
    health.addReadinessCheck('nats', async () => true)
    expect((await health.readiness()).ready).toBe(true)
    dbUp = false
    const report = await health.readiness()
    expect(report.ready).toBe(false)
    expect(report.checks.postgres).toMatchObject({ ok: false, error: 'connection refused' })
    expect(report.checks.nats?.ok).toBe(true)
  })

  it('fails a check that returns false or hangs past the timeout', async () => {
    const health = new Health({ checkTimeoutMs: 20 })
    health.addReadinessCheck('flag', () => false)
    health.addReadinessCheck('hang', () => new Promise(() => {}))
    const report = await health.readiness()
    expect(report.checks.flag?.ok).toBe(false)
    expect(report.checks.hang?.error).toContain('timed out')
  })

  it('reports not ready once draining', async () => {
    const health = new Health()
    health.markDraining()
    const report = await health.readiness()
    expect(report.ready).toBe(false)
    expect(report.checks.shutdown?.error).toBe('shutting down')
  })
})
