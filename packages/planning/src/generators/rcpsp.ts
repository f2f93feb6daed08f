import { seededRandom } from '../random.js'
import type { ScheduleProblemInput } from '../schedule/model.js'

/**
 * Random RCPSP instances in the manner of ProGen (Kolisch, Sprecher & Drexl 1995), with its three
 * parameters: network complexity NC (non-redundant arcs per job), resource factor RF (share of the resources
 * a job uses) and resource strength RS (capacity between the largest single demand, RS = 0, and the peak of
 * the early-start schedule, RS = 1). Jobs are numbered like PSPLIB: "1" is the source, n + 2 the sink.
 */
export interface RcpspParameters {
  jobs: number
  resources?: number
  networkComplexity: number
  resourceFactor: number
  resourceStrength: number
  maxDuration?: number
  maxDemand?: number
  seed: number
}

export function generateRcpsp(p: RcpspParameters): ScheduleProblemInput {
  const rnd = seededRandom(p.seed)
  const n = p.jobs
  const K = p.resources ?? 4
  const maxD = p.maxDuration ?? 10
  const maxR = p.maxDemand ?? 10
  const dur = Array.from({ length: n }, () => 1 + rnd.int(maxD))
  // Arcs between real jobs 0..n-1, always from a lower to a higher index (so the graph is acyclic).
  const succ: Set<number>[] = Array.from({ length: n }, () => new Set())
  const pred: Set<number>[] = Array.from({ length: n }, () => new Set())
  const reaches = (a: number, b: number): boolean => {
    const stack = [a]
    const seen = new Set([a])
    while (stack.length) {
      const x = stack.pop()!
      if (x === b) return true
      for (const y of succ[x]!)
        if (!seen.has(y) && y <= b) {
          seen.add(y)
          stack.push(y)
        }
    }
    return false
  }
  const add = (a: number, b: number) => {
    succ[a]!.add(b)
    pred[b]!.add(a)
  }
  const starts = Math.min(n, 3)
  for (let j = starts; j < n; j++) add(rnd.int(j), j)
  for (let i = 0; i < n - starts; i++) if (succ[i]!.size === 0) add(i, i + 1 + rnd.int(n - i - 1))
  let arcs = succ.reduce((s, x) => s + x.size, 0)
  const want = Math.round(p.networkComplexity * n)
  for (let tries = 0; arcs < want && tries < 50 * n; tries++) {
    const a = rnd.int(n - 1)
    const b = a + 1 + rnd.int(n - a - 1)
    // Non-redundant: b not already reachable from a.
    if (succ[a]!.has(b) || reaches(a, b)) continue
    add(a, b)
    arcs++
  }
  const demand = dur.map(() => {
    const used = Array.from({ length: K }, () => rnd.next() < p.resourceFactor)
    if (!used.some(Boolean)) used[rnd.int(K)] = true
    return used.map((u) => (u ? 1 + rnd.int(maxR) : 0))
  })
  // Early-start peak per resource.
  const es = new Array<number>(n).fill(0)
  for (let j = 0; j < n; j++) for (const i of pred[j]!) es[j] = Math.max(es[j]!, es[i]! + dur[i]!)
  const horizon = Math.max(...es.map((e, j) => e + dur[j]!))
  const capacity = Array.from({ length: K }, (_, k) => {
    const use = new Array<number>(horizon).fill(0)
    for (let j = 0; j < n; j++) for (let t = es[j]!; t < es[j]! + dur[j]!; t++) use[t]! += demand[j]![k]!
    const rmin = Math.max(0, ...demand.map((d) => d[k]!))
    const rmax = Math.max(0, ...use)
    return Math.max(rmin, rmin + Math.round(p.resourceStrength * (rmax - rmin)))
  })
  const id = (j: number) => String(j + 2)
  const dependencies: { from: string; to: string }[] = []
  for (let j = 0; j < n; j++) {
    if (pred[j]!.size === 0) dependencies.push({ from: '1', to: id(j) })
    for (const s of succ[j]!) dependencies.push({ from: id(j), to: id(s) })
    if (succ[j]!.size === 0) dependencies.push({ from: id(j), to: String(n + 2) })
  }
  return {
    tasks: [
      { id: '1', duration: 0 },
      ...dur.map((d, j) => ({
        id: id(j),
        duration: d,
        demands: demand[j]!.flatMap((a, k) => (a > 0 ? [{ resource: `R${k + 1}`, amount: a }] : [])),
      })),
      { id: String(n + 2), duration: 0 },
    ],
    dependencies,
    resources: capacity.map((c, k) => ({ id: `R${k + 1}`, capacity: c })),
  }
}

/** The full-factorial parameter grid of PSPLIB's j60 (RS 0.2–1.0) or j120 (RS 0.1–0.5) sets, one seed each. */
export function psplibLikeSet(jobs: 60 | 120, seed = 1): { name: string; problem: ScheduleProblemInput }[] {
  const strengths = jobs === 120 ? [0.1, 0.2, 0.3, 0.4, 0.5] : [0.2, 0.5, 0.7, 1.0]
  const out: { name: string; problem: ScheduleProblemInput }[] = []
  let k = 0
  for (const nc of [1.5, 1.8, 2.1])
    for (const rf of [0.25, 0.5, 0.75, 1])
      for (const rs of strengths) {
        k++
        out.push({
          name: `g${jobs}_${k}`,
          problem: generateRcpsp({
            jobs,
            networkComplexity: nc,
            resourceFactor: rf,
            resourceStrength: rs,
            seed: seed * 1000 + k,
          }),
        })
      }
  return out
}
