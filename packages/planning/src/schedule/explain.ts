import type { Compiled } from './compiled.js'
import type { DependencyType, ScheduleProblem } from './model.js'
import { Timeline } from './timeline.js'

/** Why a task starts later than its critical-path earliest start. */
export type DelayReason =
  | { kind: 'dependency'; predecessor: string; type: DependencyType; lag: number }
  | { kind: 'release'; release: number }
  | {
      kind: 'resource'
      resource: string
      /** A day the task would need one day earlier, on which the resource is fully used. */
      day: number
      needed: number
      available: number
      /** Tasks using the resource on that day. */
      usedBy: string[]
    }

/**
 * For every task later than its early start: the dependencies that bind it (their predecessor ends exactly
 * where the lag allows), its release date, or else the resources that stop it starting one day earlier.
 */
export function explainDelays(
  c: Compiled,
  problem: ScheduleProblem,
  starts: Int32Array,
  earlyStarts: Int32Array,
): DelayReason[][] {
  const tl = new Timeline(c, 64)
  for (let i = 0; i < c.n; i++) tl.place(i, starts[i]!)
  const out: DelayReason[][] = []
  for (let i = 0; i < c.n; i++) {
    const reasons: DelayReason[] = []
    out.push(reasons)
    const s = starts[i]!
    if (s <= earlyStarts[i]!) continue
    for (let e = c.predStart[i]!; e < c.predStart[i + 1]!; e++) {
      if (starts[c.pred[e]!]! + c.predDelta[e]! === s) {
        const dep = problem.dependencies[c.predDep[e]!]!
        reasons.push({ kind: 'dependency', predecessor: dep.from, type: dep.type, lag: dep.lag })
      }
    }
    if (reasons.length > 0) continue
    if (s === c.release[i]) {
      reasons.push({ kind: 'release', release: s })
      continue
    }
    tl.remove(i, s)
    const d = c.dur[i]!
    for (let e = c.demStart[i]!; e < c.demStart[i + 1]!; e++) {
      const k = c.demRes[e]!
      const need = c.demAmt[e]!
      for (let p = s - 1; p < s - 1 + d; p++) {
        const available = tl.remaining(k, p)
        if (available < need - 1e-9) {
          const usedBy: string[] = []
          for (let j = 0; j < c.n; j++) {
            if (j === i || starts[j]! > p || starts[j]! + c.dur[j]! <= p) continue
            for (let f = c.demStart[j]!; f < c.demStart[j + 1]!; f++)
              if (c.demRes[f] === k) usedBy.push(c.ids[j] as string)
          }
          reasons.push({
            kind: 'resource',
            resource: c.resourceIds[k] as string,
            day: p,
            needed: need,
            available,
            usedBy,
          })
          break
        }
      }
    }
    tl.place(i, s)
  }
  return out
}
