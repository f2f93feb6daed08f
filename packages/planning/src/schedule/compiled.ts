import type { DependencyType, ScheduleProblem } from './model.js'

/**
 * The problem as flat typed arrays, the form every algorithm here works on. Every dependency becomes a
 * difference constraint on start times, S[to] - S[from] >= delta (Bartusch, Möhring & Radermacher 1988):
 * FS: d[from] + lag, SS: lag, FF: d[from] - d[to] + lag, SF: lag - d[to].
 */
export interface Compiled {
  n: number
  ids: string[]
  dur: Int32Array
  release: Int32Array
  /** Latest finish, or Infinity. */
  deadline: Float64Array
  /** Outgoing arcs of task i: succ[succStart[i] .. succStart[i+1]) with delta succDelta. */
  succStart: Int32Array
  succ: Int32Array
  succDelta: Int32Array
  /** Which dependency (index into problem.dependencies) each outgoing arc came from. */
  succDep: Int32Array
  predStart: Int32Array
  pred: Int32Array
  predDelta: Int32Array
  predDep: Int32Array
  /** Whether some dependency lets a successor start before its predecessor. */
  hasNegativeDelta: boolean
  resourceIds: string[]
  /** Capacity of resource k on day t: profile[k][t] for t < profile[k].length, else base[k]. */
  base: Float64Array
  profile: Float64Array[]
  /** Sorted days on which some resource's capacity differs from the day before. */
  changeDays: Int32Array
  /** Demands of task i: demRes/demAmt[demStart[i] .. demStart[i+1]) (tasks of duration 0 have none). */
  demStart: Int32Array
  demRes: Int32Array
  demAmt: Float64Array
}

export function delta(type: DependencyType, lag: number, dFrom: number, dTo: number): number {
  switch (type) {
    case 'finish_to_start':
      return dFrom + lag
    case 'start_to_start':
      return lag
    case 'finish_to_finish':
      return dFrom - dTo + lag
    case 'start_to_finish':
      return lag - dTo
  }
}

function csr(n: number, from: Int32Array, to: Int32Array, d: Int32Array) {
  const start = new Int32Array(n + 1)
  for (const f of from) start[f + 1]!++
  for (let i = 0; i < n; i++) start[i + 1]! += start[i]!
  const fill = start.slice(0, n)
  const adj = new Int32Array(from.length)
  const dl = new Int32Array(from.length)
  const dep = new Int32Array(from.length)
  for (let e = 0; e < from.length; e++) {
    const p = fill[from[e]!]!++
    adj[p] = to[e]!
    dl[p] = d[e]!
    dep[p] = e
  }
  return { start, adj, dl, dep }
}

export function compile(problem: ScheduleProblem): Compiled {
  const n = problem.tasks.length
  const ids = problem.tasks.map((t) => t.id)
  const index = new Map(ids.map((id, i) => [id, i]))
  const dur = Int32Array.from(problem.tasks, (t) => t.duration)
  const release = Int32Array.from(problem.tasks, (t) => t.release ?? 0)
  const deadline = Float64Array.from(problem.tasks, (t) => t.deadline ?? Number.POSITIVE_INFINITY)
  const m = problem.dependencies.length
  const from = new Int32Array(m)
  const to = new Int32Array(m)
  const d = new Int32Array(m)
  problem.dependencies.forEach((dep, e) => {
    const f = index.get(dep.from) as number
    const t = index.get(dep.to) as number
    from[e] = f
    to[e] = t
    d[e] = delta(dep.type, dep.lag, dur[f]!, dur[t]!)
  })
  const out = csr(n, from, to, d)
  const inc = csr(n, to, from, d)

  const resourceIds = problem.resources.map((r) => r.id)
  const rIndex = new Map(resourceIds.map((id, k) => [id, k]))
  const base = Float64Array.from(problem.resources, (r) => r.capacity)
  const profile = problem.resources.map((r) => {
    const end = r.changes.reduce((e, c) => Math.max(e, c.to), 0)
    const p = new Float64Array(end).fill(r.capacity)
    for (const c of r.changes) p.fill(c.capacity, c.from, c.to)
    return p
  })

  const changes = new Set<number>()
  problem.resources.forEach((r, k) => {
    const p = profile[k] as Float64Array
    for (let t = 1; t <= p.length; t++) if ((t < p.length ? p[t] : r.capacity) !== p[t - 1]) changes.add(t)
    if (p.length > 0 && p[0] !== r.capacity) changes.add(0)
  })
  const changeDays = Int32Array.from([...changes].sort((a, b) => a - b))

  const demStart = new Int32Array(n + 1)
  const res: number[] = []
  const amt: number[] = []
  problem.tasks.forEach((t, i) => {
    if (t.duration > 0) {
      // Several demands on one resource add up.
      const byRes = new Map<number, number>()
      for (const dm of t.demands) {
        const k = rIndex.get(dm.resource) as number
        byRes.set(k, (byRes.get(k) ?? 0) + dm.amount)
      }
      for (const [k, a] of byRes) {
        res.push(k)
        amt.push(a)
      }
    }
    demStart[i + 1] = res.length
  })
  return {
    n,
    ids,
    dur,
    release,
    deadline,
    succStart: out.start,
    succ: out.adj,
    succDelta: out.dl,
    succDep: out.dep,
    predStart: inc.start,
    pred: inc.adj,
    predDelta: inc.dl,
    predDep: inc.dep,
    hasNegativeDelta: d.some((x) => x < 0),
    resourceIds,
    base,
    profile,
    changeDays,
    demStart,
    demRes: Int32Array.from(res),
    demAmt: Float64Array.from(amt),
  }
}

export function capacityAt(c: Compiled, k: number, t: number): number {
  const p = c.profile[k] as Float64Array
  return t < p.length ? (p[t] as number) : (c.base[k] as number)
}

/** The day from which every resource's capacity stays at its base. */
export function profileEnd(c: Compiled): number {
  return c.profile.reduce((e, p) => Math.max(e, p.length), 0)
}

/** The most resource k ever has on a day. */
export function maxCapacity(c: Compiled, k: number): number {
  let m = c.base[k]!
  for (const v of c.profile[k]!) m = Math.max(m, v)
  return m
}
