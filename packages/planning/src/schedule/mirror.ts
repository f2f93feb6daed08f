import type { Compiled } from './compiled.js'

/**
 * The project with time reversed (Debels & Vanhoucke's backward scheduling as forward scheduling of the
 * mirrored network): a schedule S of `c` with makespan T maps to S'[i] = T - S[i] - d[i], feasible for the
 * mirror whenever capacity does not change over time and no task has a release day. A constraint
 * S[j] - S[i] >= delta (arc i -> j) becomes S'[i] - S'[j] >= delta + d[j] - d[i] (arc j -> i), so a serial
 * SGS pass on the mirror is a backward SGS pass on the project, and its schedule is right-justified there.
 */
export function mirrorCompiled(c: Compiled): Compiled {
  const n = c.n
  // The mirror's outgoing arcs of j are the project's incoming arcs of j, with the shifted deltas.
  const succDelta = new Int32Array(c.pred.length)
  for (let j = 0; j < n; j++)
    for (let e = c.predStart[j]!; e < c.predStart[j + 1]!; e++)
      succDelta[e] = c.predDelta[e]! + c.dur[j]! - c.dur[c.pred[e]!]!
  const predDelta = new Int32Array(c.succ.length)
  for (let i = 0; i < n; i++)
    for (let e = c.succStart[i]!; e < c.succStart[i + 1]!; e++)
      predDelta[e] = c.succDelta[e]! + c.dur[c.succ[e]!]! - c.dur[i]!
  return {
    ...c,
    release: new Int32Array(n),
    deadline: new Float64Array(n).fill(Number.POSITIVE_INFINITY),
    succStart: c.predStart,
    succ: c.pred,
    succDelta,
    succDep: c.predDep,
    predStart: c.succStart,
    pred: c.succ,
    predDelta,
    predDep: c.succDep,
    hasNegativeDelta: succDelta.some((x) => x < 0),
  }
}

/**
 * Whether the bi-population search applies: constant capacity (so mirrored schedules stay feasible), no
 * release days (they would be deadlines in the mirror) and no lag that lets a task start before a predecessor
 * in either direction (so ordering by start keeps lists precedence-feasible).
 */
export function mirrorable(c: Compiled, mirror: Compiled): boolean {
  if (c.hasNegativeDelta || mirror.hasNegativeDelta) return false
  if (c.release.some((r) => r !== 0)) return false
  for (let k = 0; k < c.base.length; k++) for (const v of c.profile[k]!) if (v !== c.base[k]) return false
  return true
}

/** The mirror image of a schedule of makespan T (in either direction: mirroring twice gives it back). */
export function mirrorStarts(c: Compiled, starts: Int32Array, makespan: number, out: Int32Array): Int32Array {
  for (let i = 0; i < c.n; i++) out[i] = makespan - starts[i]! - c.dur[i]!
  return out
}
