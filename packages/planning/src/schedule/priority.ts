import type { Random } from '../random.js'
import type { Compiled } from './compiled.js'

/**
 * Priority rules for RCPSP (Kolisch 1996; Kolisch & Hartmann 1999), each as a value where smaller means
 * "schedule first": LFT (latest finish), LST (latest start), MSLK (minimum slack), MTS (most total
 * successors), GRPW (greatest rank positional weight), WRUP (weighted resource utilisation and precedence).
 */
export type PriorityRule = 'LFT' | 'LST' | 'MSLK' | 'MTS' | 'GRPW' | 'WRUP'
export const PRIORITY_RULES: readonly PriorityRule[] = ['LFT', 'MTS', 'GRPW', 'LST', 'MSLK', 'WRUP']

export function priorityValues(
  c: Compiled,
  rule: PriorityRule,
  es: Int32Array,
  ls: Int32Array,
): Float64Array {
  const v = new Float64Array(c.n)
  for (let i = 0; i < c.n; i++) {
    switch (rule) {
      case 'LFT':
        v[i] = ls[i]! + c.dur[i]!
        break
      case 'LST':
        v[i] = ls[i]!
        break
      case 'MSLK':
        v[i] = ls[i]! - es[i]!
        break
      case 'GRPW': {
        let w = c.dur[i]!
        for (let e = c.succStart[i]!; e < c.succStart[i + 1]!; e++) w += c.dur[c.succ[e]!]!
        v[i] = -w
        break
      }
      case 'WRUP': {
        let u = 0
        for (let e = c.demStart[i]!; e < c.demStart[i + 1]!; e++) {
          const cap = c.base[c.demRes[e]!]!
          u += cap > 0 ? c.demAmt[e]! / cap : 1
        }
        v[i] = -(0.7 * (c.succStart[i + 1]! - c.succStart[i]!) + 0.3 * u)
        break
      }
      case 'MTS':
        break
    }
  }
  if (rule === 'MTS') {
    const total = totalSuccessors(c)
    for (let i = 0; i < c.n; i++) v[i] = -total[i]!
  }
  return v
}

/** Number of transitive successors of each task (bitsets, in reverse topological order). */
function totalSuccessors(c: Compiled): Int32Array {
  const n = c.n
  const out = new Int32Array(n)
  if (n > 4000) {
    // Quadratic memory: fall back to immediate successors on very large projects.
    for (let i = 0; i < n; i++) out[i] = c.succStart[i + 1]! - c.succStart[i]!
    return out
  }
  const words = (n + 31) >>> 5
  const bits = new Uint32Array(n * words)
  const order = reverseTopological(c)
  for (const i of order) {
    const row = i * words
    for (let e = c.succStart[i]!; e < c.succStart[i + 1]!; e++) {
      const j = c.succ[e]!
      bits[row + (j >>> 5)]! |= 1 << (j & 31)
      const rj = j * words
      for (let w = 0; w < words; w++) bits[row + w]! |= bits[rj + w]!
    }
    let cnt = 0
    for (let w = 0; w < words; w++) {
      let x = bits[row + w]!
      while (x) {
        x &= x - 1
        cnt++
      }
    }
    out[i] = cnt
  }
  return out
}

function reverseTopological(c: Compiled): number[] {
  const outdeg = new Int32Array(c.n)
  const order: number[] = []
  for (let i = 0; i < c.n; i++) {
    outdeg[i] = c.succStart[i + 1]! - c.succStart[i]!
    if (outdeg[i] === 0) order.push(i)
  }
  for (let h = 0; h < order.length; h++) {
    const j = order[h]!
    for (let e = c.predStart[j]!; e < c.predStart[j + 1]!; e++) {
      const i = c.pred[e]!
      if (--outdeg[i]! === 0) order.push(i)
    }
  }
  return order
}

/**
 * A precedence-feasible activity list drawn by regret-based biased random sampling (Drexl 1991): among the
 * tasks whose predecessors are all listed, task i is drawn with probability proportional to
 * (max value - value_i + 1)^alpha. alpha = Infinity gives the pure priority rule.
 */
export function sampleList(c: Compiled, values: Float64Array, rnd: Random | null, alpha = 1): Int32Array {
  const n = c.n
  const missing = new Int32Array(n)
  const eligible: number[] = []
  for (let i = 0; i < n; i++) {
    missing[i] = c.predStart[i + 1]! - c.predStart[i]!
    if (missing[i] === 0) eligible.push(i)
  }
  const list = new Int32Array(n)
  const weights: number[] = []
  for (let k = 0; k < n; k++) {
    let pick = 0
    if (rnd === null || !Number.isFinite(alpha)) {
      for (let q = 1; q < eligible.length; q++) {
        const a = eligible[q]!
        const b = eligible[pick]!
        if (values[a]! < values[b]! || (values[a] === values[b] && a < b)) pick = q
      }
    } else {
      let max = Number.NEGATIVE_INFINITY
      for (const i of eligible) max = Math.max(max, values[i]!)
      let sum = 0
      weights.length = 0
      for (const i of eligible) {
        const w = (max - values[i]! + 1) ** alpha
        weights.push(w)
        sum += w
      }
      let r = rnd.next() * sum
      for (pick = 0; pick < eligible.length - 1; pick++) {
        r -= weights[pick]!
        if (r < 0) break
      }
    }
    const i = eligible[pick]!
    eligible[pick] = eligible[eligible.length - 1]!
    eligible.pop()
    list[k] = i
    for (let e = c.succStart[i]!; e < c.succStart[i + 1]!; e++) {
      const j = c.succ[e]!
      if (--missing[j]! === 0) eligible.push(j)
    }
  }
  return list
}
