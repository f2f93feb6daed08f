import { type Compiled, capacityAt, profileEnd } from './compiled.js'

const EPS = 1e-9

/**
 * Remaining capacity of every resource on every day, for placing and moving tasks. Days past the array hold
 * each resource's base capacity, so the timeline grows on demand.
 */
export class Timeline {
  private readonly c: Compiled
  private readonly K: number
  /** The first day on which no capacity change applies any more. */
  readonly stableFrom: number
  private H: number
  private rem: Float64Array[]
  private template: Float64Array[]

  constructor(c: Compiled, horizon: number) {
    this.c = c
    this.K = c.base.length
    this.stableFrom = profileEnd(c)
    this.H = Math.max(horizon, this.stableFrom + 1, 16)
    this.template = this.fresh(this.H)
    this.rem = this.template.map((t) => t.slice())
  }

  private fresh(H: number): Float64Array[] {
    const out: Float64Array[] = []
    for (let k = 0; k < this.K; k++) {
      const a = new Float64Array(H)
      for (let t = 0; t < H; t++) a[t] = capacityAt(this.c, k, t)
      out.push(a)
    }
    return out
  }

  /** Back to full capacity (nothing placed). */
  reset(): void {
    for (let k = 0; k < this.K; k++) this.rem[k]!.set(this.template[k]!)
  }

  private grow(t: number): void {
    let H = this.H
    while (H <= t) H *= 2
    const template = this.fresh(H)
    const rem = template.map((a, k) => {
      const r = a.slice()
      r.set(this.rem[k]!)
      return r
    })
    this.H = H
    this.template = template
    this.rem = rem
  }

  /** Remaining capacity of resource k on day t. */
  remaining(k: number, t: number): number {
    return t < this.H ? this.rem[k]![t]! : (this.template[k]?.[this.H - 1] ?? 0)
  }

  /** Can task i run on days [t, t + d) with what is left? */
  fits(i: number, t: number): boolean {
    const c = this.c
    const d = c.dur[i]!
    if (t + d > this.H) this.grow(t + d)
    for (let e = c.demStart[i]!; e < c.demStart[i + 1]!; e++) {
      const r = this.rem[c.demRes[e]!]!
      const a = c.demAmt[e]! - EPS
      for (let p = t; p < t + d; p++) if (r[p]! < a) return false
    }
    return true
  }

  /** The first day >= t0 on which task i fits, or -1 when it never will (demand above the base capacity). */
  earliestFit(i: number, t0: number): number {
    const c = this.c
    const d = c.dur[i]!
    const s = c.demStart[i]!
    const f = c.demStart[i + 1]!
    if (d === 0 || s === f) return t0
    let t = t0
    for (;;) {
      if (t >= this.stableFrom) {
        for (let e = s; e < f; e++) if (c.demAmt[e]! > c.base[c.demRes[e]!]! + EPS) return -1
      }
      if (t + d > this.H) this.grow(t + d)
      let blocked = -1
      for (let e = s; e < f && blocked < 0; e++) {
        const r = this.rem[c.demRes[e]!]!
        const a = c.demAmt[e]! - EPS
        for (let p = t + d - 1; p >= t; p--) {
          if (r[p]! < a) {
            blocked = p
            break
          }
        }
      }
      if (blocked < 0) return t
      t = blocked + 1
    }
  }

  /** The last day in [lo, hi] on which task i fits, or -1. */
  latestFit(i: number, lo: number, hi: number): number {
    const c = this.c
    const d = c.dur[i]!
    const s = c.demStart[i]!
    const f = c.demStart[i + 1]!
    if (d === 0 || s === f) return hi >= lo ? hi : -1
    if (hi + d > this.H) this.grow(hi + d)
    let t = hi
    while (t >= lo) {
      let blocked = -1
      for (let e = s; e < f && blocked < 0; e++) {
        const r = this.rem[c.demRes[e]!]!
        const a = c.demAmt[e]! - EPS
        for (let p = t; p < t + d; p++) {
          if (r[p]! < a) {
            blocked = p
            break
          }
        }
      }
      if (blocked < 0) return t
      t = blocked - d
    }
    return -1
  }

  place(i: number, t: number): void {
    this.add(i, t, -1)
  }

  remove(i: number, t: number): void {
    this.add(i, t, 1)
  }

  private add(i: number, t: number, sign: number): void {
    const c = this.c
    const d = c.dur[i]!
    if (t + d > this.H) this.grow(t + d)
    for (let e = c.demStart[i]!; e < c.demStart[i + 1]!; e++) {
      const r = this.rem[c.demRes[e]!]!
      const a = sign * c.demAmt[e]!
      for (let p = t; p < t + d; p++) r[p]! += a
    }
  }
}
