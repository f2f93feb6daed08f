import { describe, expect, it } from 'vitest'
import { compile } from './compiled.js'
import { scheduleProblemSchema } from './model.js'
import { Justifier, leftJustify, precedenceStart } from './sgs.js'
import { Timeline } from './timeline.js'

describe('leftJustify', () => {
  it('keeps shifting until no task can start earlier, however many passes a chain of negative lags needs', () => {
    // Each pass frees t0 by a day, then t1 (SF lag -2 from t0), then t2 (FF lag -2 from t1): four passes
    // for three tasks.
    const c = compile(
      scheduleProblemSchema.parse({
        tasks: [
          { id: 't0', duration: 3, release: 8, demands: [{ resource: 'r0', amount: 1 }] },
          {
            id: 't1',
            duration: 1,
            demands: [
              { resource: 'r0', amount: 1 },
              { resource: 'r1', amount: 1 },
            ],
          },
          {
            id: 't2',
            duration: 5,
            release: 1,
            demands: [
              { resource: 'r0', amount: 1 },
              { resource: 'r1', amount: 1 },
            ],
          },
        ],
        dependencies: [
          { from: 't1', to: 't2', type: 'finish_to_finish', lag: -2 },
          { from: 't0', to: 't1', type: 'start_to_finish', lag: -2 },
        ],
        resources: [
          { id: 'r0', capacity: 1, changes: [{ from: 11, to: 16, capacity: 2 }] },
          { id: 'r1', capacity: 1 },
        ],
      }),
    )
    const starts = Int32Array.from([11, 10, 4])
    const tl = new Timeline(c, 15)
    for (let i = 0; i < c.n; i++) tl.place(i, starts[i]!)
    leftJustify(c, tl, starts, new Justifier(c.n))
    expect([...starts]).toEqual([8, 6, 1])
    // No task fits a day earlier where precedence would let it.
    for (let i = 0; i < c.n; i++) {
      const s = starts[i]!
      if (s <= precedenceStart(c, i, starts)) continue
      tl.remove(i, s)
      expect(tl.fits(i, s - 1)).toBe(false)
      tl.place(i, s)
    }
  })
})
