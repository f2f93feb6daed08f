import type { Compiled } from './compiled.js'
import { Justifier, justify, leftJustify } from './sgs.js'
import { earliestStarts } from './temporal.js'
import type { Timeline } from './timeline.js'

/**
 * Dependency cycles of non-positive length are maximum time lags (RCPSP/max): a successor may also bound its
 * predecessor from above, and a schedule may not exist at all. This is the serial schedule generation with
 * unscheduling of Franck, Neumann & Schwindt (2001): tasks in order of earliest start, each at its earliest
 * feasible day; when that day breaks an upper bound set by an already placed task, that task's earliest start
 * is raised past the conflict and the pass starts over. Null when no schedule was found within the attempts.
 */
export function levelCyclic(c: Compiled, tl: Timeline, deadlineAt: number): Int32Array | null {
  const floor = Int32Array.from(c.release)
  const starts = new Int32Array(c.n)
  const placed = new Uint8Array(c.n)
  for (let attempt = 0; attempt < 50 * c.n + 100 && performance.now() < deadlineAt; attempt++) {
    const temporal = earliestStarts(c, null, floor)
    if (!temporal.ok) return null
    const es = temporal.es
    const order = Array.from({ length: c.n }, (_, i) => i).sort((a, b) => es[a]! - es[b]! || a - b)
    tl.reset()
    placed.fill(0)
    let conflict = false
    for (const j of order) {
      let lb = es[j]!
      for (let e = c.predStart[j]!; e < c.predStart[j + 1]!; e++) {
        const i = c.pred[e]!
        if (placed[i]) lb = Math.max(lb, starts[i]! + c.predDelta[e]!)
      }
      const t = tl.earliestFit(j, lb)
      if (t < 0) return null
      for (let e = c.succStart[j]!; e < c.succStart[j + 1]!; e++) {
        const k = c.succ[e]!
        if (placed[k] && starts[k]! < t + c.succDelta[e]!) {
          floor[k] = Math.max(floor[k]!, t + c.succDelta[e]!)
          conflict = true
        }
      }
      if (conflict) break
      tl.place(j, t)
      starts[j] = t
      placed[j] = 1
    }
    if (!conflict) {
      const js = new Justifier(c.n)
      justify(c, tl, starts, js)
      // As on acyclic projects, every delayed task must have a reason the explanations can name.
      leftJustify(c, tl, starts, js)
      return starts
    }
  }
  return null
}
