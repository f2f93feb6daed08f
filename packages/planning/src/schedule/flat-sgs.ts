import type { Compiled } from './compiled.js'
import { precedenceStart } from './sgs.js'

const EPS = 1e-9

/**
 * The serial SGS for constant capacity, the bi-population GA's only decoder: the same placements as
 * `serialSgs` on a `Timeline` (earliest day from the precedence bound, jumping past the last blocked day of
 * each tried window), on one flat array of remaining capacity (resource-major) sized once for the longest
 * schedule a serial pass can produce, and reset only as far as the previous schedule reached.
 */
export class FlatSgs {
  private readonly H: number
  private readonly rem: Float64Array
  private used = 0
  /** Per demand: where its resource's row starts in `rem`, and the amount less the rounding tolerance. */
  private readonly rowOf: Int32Array
  private readonly need: Float64Array

  constructor(private readonly c: Compiled) {
    // Each task starts at the latest at the end of all tasks placed before it or at its precedence bound,
    // so no serial schedule ends after the sum of durations and of the positive excess of lags.
    let H = 1
    for (let i = 0; i < c.n; i++) {
      let extra = 0
      for (let e = c.succStart[i]!; e < c.succStart[i + 1]!; e++)
        extra = Math.max(extra, c.succDelta[e]! - c.dur[i]!)
      H += c.dur[i]! + extra
    }
    for (let e = 0; e < c.demAmt.length; e++)
      if (c.demAmt[e]! > c.base[c.demRes[e]!]! + EPS) throw new Error('a demand exceeds its capacity')
    this.H = H
    this.rowOf = Int32Array.from(c.demRes, (k) => k * H)
    this.need = Float64Array.from(c.demAmt, (a) => a - EPS)
    this.rem = new Float64Array(c.base.length * H)
    for (let k = 0; k < c.base.length; k++) this.rem.fill(c.base[k]!, k * H, (k + 1) * H)
  }

  /** Places the tasks in list order (predecessors first) into `starts`; returns the makespan. */
  run(list: Int32Array, starts: Int32Array): number {
    const c = this.c
    const { H, rem, rowOf, need } = this
    const { dur, demStart, demAmt, base } = c
    if (this.used > 0) for (let k = 0; k < base.length; k++) rem.fill(base[k]!, k * H, k * H + this.used)
    let makespan = 0
    for (let q = 0; q < list.length; q++) {
      const i = list[q]!
      let t = precedenceStart(c, i, starts)
      const d = dur[i]!
      const s = demStart[i]!
      const f = demStart[i + 1]!
      if (d > 0 && s < f) {
        let e = s
        while (e < f) {
          const off = rowOf[e]!
          const a = need[e]!
          let blocked = -1
          for (let p = t + d - 1; p >= t; p--)
            if (rem[off + p]! < a) {
              blocked = p
              break
            }
          if (blocked >= 0) {
            // Every demand must be checked again on the new window.
            t = blocked + 1
            e = s
          } else e++
        }
        for (e = s; e < f; e++) {
          const off = rowOf[e]!
          const a = demAmt[e]!
          for (let p = t; p < t + d; p++) rem[off + p]! -= a
        }
      }
      starts[i] = t
      if (t + d > makespan) makespan = t + d
    }
    this.used = makespan
    return makespan
  }
}
