import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { scheduleProblems } from '../testing/arbitraries.js'
import { delta } from './compiled.js'
import { criticalPath } from './cpm.js'
import type { ScheduleProblemInput } from './model.js'

/** Earliest starts by plain fixpoint iteration over the definitions (the brute-force reference). */
function referenceStarts(
  p: ScheduleProblemInput,
  floor: Record<string, number> = {},
): Record<string, number> {
  const dur = new Map(p.tasks.map((t) => [t.id, t.duration]))
  const s: Record<string, number> = {}
  for (const t of p.tasks) s[t.id] = Math.max(t.release ?? 0, floor[t.id] ?? 0)
  for (let changed = true; changed; ) {
    changed = false
    for (const d of p.dependencies ?? []) {
      const need =
        s[d.from]! + delta(d.type ?? 'finish_to_start', d.lag ?? 0, dur.get(d.from)!, dur.get(d.to)!)
      if (s[d.to]! < need) {
        s[d.to] = need
        changed = true
      }
    }
  }
  return s
}

const end = (p: ScheduleProblemInput, s: Record<string, number>) =>
  Math.max(0, ...p.tasks.map((t) => s[t.id]! + t.duration))

describe('criticalPath', () => {
  it('computes early and late dates, floats and the critical path of a small plan', () => {
    const r = criticalPath({
      tasks: [
        { id: 'design', duration: 5 },
        { id: 'build', duration: 10 },
        { id: 'docs', duration: 3 },
        { id: 'test', duration: 4 },
      ],
      dependencies: [
        { from: 'design', to: 'build' },
        { from: 'design', to: 'docs', type: 'start_to_start', lag: 2 },
        { from: 'build', to: 'test', type: 'finish_to_finish', lag: 2 },
        { from: 'docs', to: 'test' },
      ],
    })
    if (!r.feasible) throw new Error(r.message)
    const t = Object.fromEntries(r.tasks.map((x) => [x.id, x]))
    expect(r.projectEnd).toBe(17)
    expect(t.build).toMatchObject({ earlyStart: 5, earlyFinish: 15, totalFloat: 0 })
    expect(t.test).toMatchObject({ earlyStart: 13, earlyFinish: 17, totalFloat: 0 })
    expect(t.docs).toMatchObject({ earlyStart: 2, lateStart: 10, totalFloat: 8, freeFloat: 8 })
    expect(r.criticalPaths).toEqual([['design', 'build', 'test']])
  })

  it('gives dates with a calendar', () => {
    const r = criticalPath({ tasks: [{ id: 'a', duration: 3 }], calendar: { start: '2026-12-04' } })
    if (!r.feasible) throw new Error(r.message)
    // Fri 4 Dec, then Mon 7 and Tue 8.
    expect(r.tasks[0]).toMatchObject({ earlyStartDate: '2026-12-04', earlyFinishDate: '2026-12-08' })
  })

  it('reports a cycle whose lags add up to more than zero as infeasible, naming its tasks', () => {
    const r = criticalPath({
      tasks: [
        { id: 'a', duration: 2 },
        { id: 'b', duration: 2 },
      ],
      dependencies: [
        { from: 'a', to: 'b' },
        { from: 'b', to: 'a', type: 'start_to_start', lag: -1 },
      ],
    })
    expect(r.feasible).toBe(false)
    if (!r.feasible) expect(new Set(r.cycle)).toEqual(new Set(['a', 'b']))
  })

  it('accepts cycles of non-positive length (maximum time lags) and honours them', () => {
    const r = criticalPath({
      tasks: [
        { id: 'a', duration: 3 },
        { id: 'b', duration: 2, release: 4 },
      ],
      // b starts at most 1 day after a starts, and not before a starts.
      dependencies: [
        { from: 'a', to: 'b', type: 'start_to_start', lag: 0 },
        { from: 'b', to: 'a', type: 'start_to_start', lag: -1 },
      ],
    })
    if (!r.feasible) throw new Error(r.message)
    expect(r.tasks.map((t) => t.earlyStart)).toEqual([3, 4])
  })

  it('gives negative float when a deadline cannot be met', () => {
    const r = criticalPath({
      tasks: [
        { id: 'a', duration: 5 },
        { id: 'b', duration: 5, deadline: 8 },
      ],
      dependencies: [{ from: 'a', to: 'b' }],
    })
    if (!r.feasible) throw new Error(r.message)
    expect(r.tasks.map((t) => t.totalFloat)).toEqual([-2, -2])
    expect(r.criticalTasks).toEqual(['a', 'b'])
  })

  it('matches a brute-force reference for early starts, total and free float', () => {
    fc.assert(
      fc.property(scheduleProblems({ resources: false }), (p) => {
        const r = criticalPath(p)
        if (!r.feasible) throw new Error('acyclic problems are always feasible')
        const es = referenceStarts(p)
        const horizon = end(p, es)
        expect(r.projectEnd).toBe(horizon)
        for (const t of r.tasks) {
          expect(t.earlyStart).toBe(es[t.id])
          // Total float: the largest delay of this task that keeps the project end.
          let total = 0
          while (end(p, referenceStarts(p, { [t.id]: es[t.id]! + total + 1 })) <= horizon) total++
          expect(t.totalFloat).toBe(total)
          // Free float: the largest delay that moves no other task's early start and keeps the end.
          let free = 0
          const unchanged = (x: number) => {
            const s = referenceStarts(p, { [t.id]: es[t.id]! + x })
            return end(p, s) <= horizon && p.tasks.every((o) => o.id === t.id || s[o.id] === es[o.id])
          }
          while (unchanged(free + 1)) free++
          expect(t.freeFloat).toBe(free)
          expect(t.critical).toBe(total === 0)
        }
      }),
      { numRuns: 200 },
    )
  })
})
