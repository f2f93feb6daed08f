import { workingCalendar } from '../calendar.js'
import { parseInput } from '../parse-input.js'
import { type Compiled, compile } from './compiled.js'
import { type ScheduleProblemInput, scheduleProblemSchema } from './model.js'
import { earliestStarts, latestStarts, topologicalOrder } from './temporal.js'

export interface CpmTask {
  id: string
  earlyStart: number
  earlyFinish: number
  lateStart: number
  lateFinish: number
  /** Days the task can slip without delaying the project end or missing a deadline (negative: already late). */
  totalFloat: number
  /** Days the task can slip without delaying any successor's early start. */
  freeFloat: number
  critical: boolean
  /** With a calendar: dates of the early start and of the last day worked (late ones too, when not before day 0). */
  earlyStartDate?: string
  earlyFinishDate?: string
  lateStartDate?: string
  lateFinishDate?: string
}

export interface CpmSchedule {
  feasible: true
  /** Earliest finish of the whole project, resources ignored. */
  projectEnd: number
  tasks: CpmTask[]
  /** Tasks with the least total float (zero unless a deadline cannot be met). */
  criticalTasks: string[]
  /** Chains of critical tasks linked by binding dependencies, from a project start to a project end. */
  criticalPaths: string[][]
  /** True when there were more critical paths than `maxCriticalPaths`. */
  criticalPathsTruncated: boolean
}

export interface TemporalInfeasibility {
  feasible: false
  reason: 'positive_cycle'
  /** The tasks of a dependency cycle whose lags add up to more than zero: no schedule satisfies them. */
  cycle: string[]
  message: string
}

export type CpmResult = CpmSchedule | TemporalInfeasibility

export function positiveCycle(c: Compiled, cycle: number[]): TemporalInfeasibility {
  const names = cycle.map((i) => c.ids[i] as string)
  return {
    feasible: false,
    reason: 'positive_cycle',
    cycle: names,
    message: `the dependencies ${[...names, names[0]].join(' -> ')} form a cycle whose lags add up to more than zero, so no schedule can satisfy them`,
  }
}

/** The critical path method on the difference constraints (generalised precedence with lags). */
export function criticalPath(
  input: ScheduleProblemInput,
  options: { maxCriticalPaths?: number } = {},
): CpmResult {
  const problem = parseInput(scheduleProblemSchema, input, 'schedule problem')
  const result = criticalPathOf(compile(problem), options)
  if (result.feasible && problem.calendar) {
    const cal = workingCalendar(problem.calendar)
    const date = (day: number) => (day >= 0 ? cal.dateOf(day) : undefined)
    for (const t of result.tasks) {
      const dates = {
        earlyStartDate: date(t.earlyStart),
        earlyFinishDate: date(Math.max(t.earlyStart, t.earlyFinish - 1)),
        lateStartDate: date(t.lateStart),
        lateFinishDate: date(Math.max(t.lateStart, t.lateFinish - 1)),
      }
      for (const [k, v] of Object.entries(dates)) if (v) Object.assign(t, { [k]: v })
    }
  }
  return result
}

export function criticalPathOf(c: Compiled, options: { maxCriticalPaths?: number } = {}): CpmResult {
  const order = topologicalOrder(c)
  const forward = earliestStarts(c, order)
  if (!forward.ok) return positiveCycle(c, forward.cycle)
  const es = forward.es
  let end = 0
  for (let i = 0; i < c.n; i++) end = Math.max(end, es[i]! + c.dur[i]!)
  const ls = latestStarts(c, order, end)
  const tasks: CpmTask[] = []
  let minFloat = Number.POSITIVE_INFINITY
  for (let i = 0; i < c.n; i++) {
    const d = c.dur[i]!
    let free = Math.min(end, c.deadline[i]!) - es[i]! - d
    for (let e = c.succStart[i]!; e < c.succStart[i + 1]!; e++) {
      free = Math.min(free, es[c.succ[e]!]! - c.succDelta[e]! - es[i]!)
    }
    const total = ls[i]! - es[i]!
    minFloat = Math.min(minFloat, total)
    tasks.push({
      id: c.ids[i] as string,
      earlyStart: es[i]!,
      earlyFinish: es[i]! + d,
      lateStart: ls[i]!,
      lateFinish: ls[i]! + d,
      totalFloat: total,
      freeFloat: free,
      critical: false,
    })
  }
  for (const t of tasks) t.critical = t.totalFloat === minFloat
  const { paths, truncated } = enumerateCriticalPaths(c, tasks, es, options.maxCriticalPaths ?? 20)
  return {
    feasible: true,
    projectEnd: end,
    tasks,
    criticalTasks: tasks.filter((t) => t.critical).map((t) => t.id),
    criticalPaths: paths,
    criticalPathsTruncated: truncated,
  }
}

function enumerateCriticalPaths(c: Compiled, tasks: CpmTask[], es: Int32Array, max: number) {
  const critical = (i: number) => tasks[i]!.critical
  const tightOut: number[][] = Array.from({ length: c.n }, () => [])
  const hasTightIn = new Uint8Array(c.n)
  for (let i = 0; i < c.n; i++) {
    if (!critical(i)) continue
    for (let e = c.succStart[i]!; e < c.succStart[i + 1]!; e++) {
      const j = c.succ[e]!
      if (critical(j) && es[i]! + c.succDelta[e]! === es[j]!) {
        tightOut[i]!.push(j)
        hasTightIn[j] = 1
      }
    }
  }
  const paths: string[][] = []
  let truncated = false
  const onPath = new Uint8Array(c.n)
  const path: number[] = []
  const walk = (i: number) => {
    if (truncated) return
    path.push(i)
    onPath[i] = 1
    const next = tightOut[i]!.filter((j) => !onPath[j])
    if (next.length === 0) {
      if (paths.length >= max) truncated = true
      else paths.push(path.map((k) => c.ids[k] as string))
    } else for (const j of next) walk(j)
    onPath[i] = 0
    path.pop()
  }
  for (let i = 0; i < c.n && !truncated; i++) if (critical(i) && !hasTightIn[i]) walk(i)
  return { paths, truncated }
}
