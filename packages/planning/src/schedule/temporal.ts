import type { Compiled } from './compiled.js'

/** A topological order of the dependency graph, or null when it has a cycle. */
export function topologicalOrder(c: Compiled): Int32Array | null {
  const indeg = new Int32Array(c.n)
  for (let i = 0; i < c.n; i++) indeg[i] = c.predStart[i + 1]! - c.predStart[i]!
  const order = new Int32Array(c.n)
  let head = 0
  let tail = 0
  for (let i = 0; i < c.n; i++) if (indeg[i] === 0) order[tail++] = i
  while (head < tail) {
    const i = order[head++]!
    for (let e = c.succStart[i]!; e < c.succStart[i + 1]!; e++) {
      const j = c.succ[e]!
      if (--indeg[j]! === 0) order[tail++] = j
    }
  }
  return tail === c.n ? order : null
}

export type EarliestStarts = { ok: true; es: Int32Array } | { ok: false; cycle: number[] }

/**
 * Earliest starts: the longest paths from day 0 through release dates and difference constraints. On a DAG one
 * pass in topological order; otherwise label-correcting Bellman–Ford, where a task relaxed n times lies on
 * (or behind) a cycle of positive length, which no schedule can satisfy.
 */
export function earliestStarts(c: Compiled, order: Int32Array | null, floor?: Int32Array): EarliestStarts {
  const es = Int32Array.from(floor ?? c.release)
  if (floor) for (let i = 0; i < c.n; i++) es[i] = Math.max(es[i]!, c.release[i]!)
  if (order) {
    for (const i of order) {
      for (let e = c.predStart[i]!; e < c.predStart[i + 1]!; e++) {
        const v = es[c.pred[e]!]! + c.predDelta[e]!
        if (v > es[i]!) es[i] = v
      }
    }
    return { ok: true, es }
  }
  const parent = new Int32Array(c.n).fill(-1)
  const count = new Int32Array(c.n)
  const inQueue = new Uint8Array(c.n)
  const queue: number[] = []
  for (let i = 0; i < c.n; i++) {
    queue.push(i)
    inQueue[i] = 1
  }
  let head = 0
  while (head < queue.length) {
    const i = queue[head++]!
    inQueue[i] = 0
    for (let e = c.succStart[i]!; e < c.succStart[i + 1]!; e++) {
      const j = c.succ[e]!
      const v = es[i]! + c.succDelta[e]!
      if (v > es[j]!) {
        es[j] = v
        parent[j] = i
        if (++count[j]! > c.n) return { ok: false, cycle: findCycle(parent, j) }
        if (!inQueue[j]) {
          inQueue[j] = 1
          queue.push(j)
        }
      }
    }
    if (head > 1 << 20) {
      queue.splice(0, head)
      head = 0
    }
  }
  return { ok: true, es }
}

function findCycle(parent: Int32Array, start: number): number[] {
  // Walking parents n times from a node relaxed more than n times lands on the cycle.
  let v = start
  for (let k = 0; k < parent.length; k++) v = parent[v]!
  const cycle = [v]
  for (let u = parent[v]!; u !== v; u = parent[u]!) cycle.push(u)
  return cycle.reverse()
}

/** Days from each task's finish to the project end that its successors need at least (resources ignored). */
export function tails(c: Compiled, order: Int32Array | null, end: number): Int32Array {
  const ls = latestStarts(c, order, end, false)
  return ls.map((l, i) => end - l - c.dur[i]!)
}

/**
 * Latest starts that keep every task finished by `end` and by its deadline: the longest paths backwards.
 * Needs a DAG order or, on cyclic graphs, a temporally feasible problem (checked by earliestStarts first).
 */
export function latestStarts(
  c: Compiled,
  order: Int32Array | null,
  end: number,
  deadlines = true,
): Int32Array {
  const ls = new Int32Array(c.n)
  for (let i = 0; i < c.n; i++) ls[i] = (deadlines ? Math.min(end, c.deadline[i]!) : end) - c.dur[i]!
  const relax = (i: number): boolean => {
    let changed = false
    for (let e = c.succStart[i]!; e < c.succStart[i + 1]!; e++) {
      const v = ls[c.succ[e]!]! - c.succDelta[e]!
      if (v < ls[i]!) {
        ls[i] = v
        changed = true
      }
    }
    return changed
  }
  if (order) {
    for (let k = c.n - 1; k >= 0; k--) relax(order[k]!)
    return ls
  }
  for (let round = 0, changed = true; changed && round <= c.n; round++) {
    changed = false
    for (let i = 0; i < c.n; i++) if (relax(i)) changed = true
  }
  return ls
}
