import { describe, expect, it } from 'vitest'
import { closedLoop, openLoop, Samples } from './stats.js'

describe('Samples', () => {
  it('computes nearest-rank percentiles', () => {
    const s = new Samples()
    for (let i = 1; i <= 100; i++) s.add(i)
    expect(s.summary()).toEqual({ count: 100, p50: 50, p95: 95, p99: 99, max: 100 })
    expect(new Samples().percentile(50)).toBeNaN()
  })
})

describe('load loops', () => {
  it('open loop offers the scheduled number of operations and counts errors', async () => {
    let calls = 0
    const result = await openLoop(200, 250, async () => {
      calls++
      if (calls % 10 === 0) throw new Error('boom')
    })
    expect(result.offered).toBe(50)
    expect(calls).toBe(50)
    expect(result.errors).toBe(5)
    expect(result.latencyMs.count).toBe(45)
  })

  it('closed loop keeps the given number of callers busy', async () => {
    let active = 0
    let peak = 0
    const result = await closedLoop(4, 100, async () => {
      active++
      peak = Math.max(peak, active)
      await new Promise((r) => setTimeout(r, 5))
      active--
    })
    expect(peak).toBe(4)
    expect(result.perSecond).toBeGreaterThan(0)
  })
})
