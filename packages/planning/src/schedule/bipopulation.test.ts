import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { generateRcpsp } from '../generators/rcpsp.js'
import { seededRandom } from '../random.js'
import { scheduleProblems } from '../testing/arbitraries.js'
import { checkSchedule } from './check.js'
import { compile } from './compiled.js'
import { FlatSgs } from './flat-sgs.js'
import { levelSchedule } from './level.js'
import { mirrorable, mirrorCompiled, mirrorStarts } from './mirror.js'
import { scheduleProblemSchema } from './model.js'
import { priorityValues, sampleList } from './priority.js'
import { makespanOf, serialSgs } from './sgs.js'
import { earliestStarts, topologicalOrder } from './temporal.js'
import { Timeline } from './timeline.js'

/** Random RCPSPs the bi-population search applies to: constant capacity, no releases, FS dependencies. */
const plainRcpsp = fc
  .record({
    jobs: fc.integer({ min: 2, max: 14 }),
    networkComplexity: fc.constantFrom(1.5, 1.8, 2.1),
    resourceFactor: fc.constantFrom(0.25, 0.5, 1),
    resourceStrength: fc.constantFrom(0.1, 0.3, 0.5),
    seed: fc.integer({ min: 1, max: 1_000_000 }),
  })
  .map((p) => generateRcpsp({ ...p, maxDuration: 6 }))

describe('bi-population genetic algorithm', () => {
  it('maps feasible schedules to feasible mirrored schedules of the same makespan and back', () => {
    fc.assert(
      fc.property(plainRcpsp, (p) => {
        const c = compile(scheduleProblemSchema.parse(p))
        const m = mirrorCompiled(c)
        expect(mirrorable(c, m)).toBe(true)
        // Every dependency type maps to a constraint the mirrored starts satisfy, so a chain of tasks in
        // a row (early starts ignoring resources) must stay feasible for the mirror's precedence.
        const starts = new Int32Array(c.n)
        for (const i of topologicalOrder(c)!)
          for (let e = c.predStart[i]!; e < c.predStart[i + 1]!; e++)
            starts[i] = Math.max(starts[i]!, starts[c.pred[e]!]! + c.predDelta[e]!)
        const T = makespanOf(c, starts)
        const back = mirrorStarts(c, starts, T, new Int32Array(c.n))
        expect(makespanOf(m, back)).toBe(T)
        for (let i = 0; i < c.n; i++)
          for (let e = m.predStart[i]!; e < m.predStart[i + 1]!; e++)
            expect(back[i]! - back[m.pred[e]!]!).toBeGreaterThanOrEqual(m.predDelta[e]!)
        expect([...mirrorStarts(m, back, T, new Int32Array(c.n))]).toEqual([...starts])
      }),
      { numRuns: 100 },
    )
  })

  it('places tasks as the serial SGS on a timeline does, with the flat constant-capacity profile', () => {
    fc.assert(
      fc.property(plainRcpsp, fc.integer({ min: 1, max: 1000 }), (p, seed) => {
        const c = compile(scheduleProblemSchema.parse(p))
        const flat = new FlatSgs(c)
        const tl = new Timeline(c, 8)
        const forward = earliestStarts(c, topologicalOrder(c))
        if (!forward.ok) throw new Error('cycle')
        const es = forward.es
        const rnd = seededRandom(seed)
        for (let round = 0; round < 3; round++) {
          const list = sampleList(c, priorityValues(c, 'LFT', es, es), rnd, 0)
          const a = new Int32Array(c.n)
          const b = new Int32Array(c.n)
          expect(serialSgs(c, list, tl, a)).toBe(true)
          expect(flat.run(list, b)).toBe(makespanOf(c, a))
          expect([...b]).toEqual([...a])
        }
      }),
      { numRuns: 100 },
    )
  })

  it('returns feasible schedules, never worse than the critical path allows, on random RCPSPs', async () => {
    await fc.assert(
      fc.asyncProperty(plainRcpsp, fc.integer({ min: 1, max: 50 }), async (p, seed) => {
        const r = await levelSchedule(p, {
          seed,
          timeLimitMs: 5000,
          maxSchedules: 400,
          exact: 'off',
          ga: 'bipopulation',
        })
        if (!r.feasible) throw new Error(r.message)
        expect(checkSchedule(p, r.starts)).toEqual([])
        expect(r.makespan).toBeGreaterThanOrEqual(r.lowerBound)
        for (const t of r.tasks) if (t.delay > 0) expect(t.delayedBy.length).toBeGreaterThan(0)
      }),
      { numRuns: 60 },
    )
  })

  it('falls back to the hybrid GA where mirroring does not apply and stays feasible', async () => {
    await fc.assert(
      fc.asyncProperty(scheduleProblems(), async (p) => {
        const r = await levelSchedule(p, {
          timeLimitMs: 5000,
          maxSchedules: 300,
          exact: 'off',
          ga: 'bipopulation',
        })
        if (!r.feasible) throw new Error(r.message)
        expect(checkSchedule(p, r.starts)).toEqual([])
      }),
      { numRuns: 80 },
    )
  })

  it('is deterministic for a fixed seed and schedule budget on a 120-job project, and beats its seeds', async () => {
    const p = generateRcpsp({
      jobs: 120,
      networkComplexity: 1.8,
      resourceFactor: 0.75,
      resourceStrength: 0.2,
      seed: 7,
    })
    const c = compile(scheduleProblemSchema.parse(p))
    expect(mirrorable(c, mirrorCompiled(c))).toBe(true)
    const opts = {
      seed: 3,
      timeLimitMs: 60_000,
      maxSchedules: 4000,
      exact: 'off' as const,
      ga: 'bipopulation' as const,
    }
    const a = await levelSchedule(p, opts)
    const b = await levelSchedule(p, opts)
    const few = await levelSchedule(p, { ...opts, maxSchedules: 40 })
    if (!a.feasible || !b.feasible || !few.feasible) throw new Error('infeasible')
    expect(a.search.stoppedBy).toBe('schedules')
    expect(b.starts).toEqual(a.starts)
    expect(checkSchedule(p, a.starts)).toEqual([])
    expect(a.makespan).toBeLessThanOrEqual(few.makespan)
    const other = await levelSchedule(p, { ...opts, seed: 4 })
    if (!other.feasible) throw new Error('infeasible')
    expect(checkSchedule(p, other.starts)).toEqual([])
  })
})
