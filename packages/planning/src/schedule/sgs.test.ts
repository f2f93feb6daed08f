import { describe, expect, it } from 'vitest'
import { NEGATIVE_LAG_CHAIN } from '../testing/negative-lag-chain.js'
import { compile } from './compiled.js'
import { scheduleProblemSchema } from './model.js'
import { Justifier, leftJustify, precedenceStart } from './sgs.js'
import { Timeline } from './timeline.js'

describe('leftJustify', () => {
  it('keeps shifting until no task can start earlier, however many passes a chain of negative lags needs', () => {
    const c = compile(scheduleProblemSchema.parse(NEGATIVE_LAG_CHAIN))
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
