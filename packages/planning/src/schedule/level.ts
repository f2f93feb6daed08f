import { z } from 'zod'
import { workingCalendar } from '../calendar.js'
import { warmHighsWorker } from '../highs-worker.js'
import { parseInput } from '../parse-input.js'
import { seededRandom } from '../random.js'
import { bipopulationSearch } from './bipopulation.js'
import { type Compiled, compile, maxCapacity } from './compiled.js'
import { positiveCycle, type TemporalInfeasibility } from './cpm.js'
import { levelCyclic } from './cyclic.js'
import { exactFits, exactSearch } from './exact.js'
import { type DelayReason, explainDelays } from './explain.js'
import { Decoder, geneticSearch, type Individual, type SearchBudget } from './genetic.js'
import { lowerBounds } from './lower-bounds.js'
import { mirrorable, mirrorCompiled } from './mirror.js'
import { type ScheduleProblemInput, scheduleProblemSchema } from './model.js'
import { Pace } from './pace.js'
import { PRIORITY_RULES, priorityValues, sampleList } from './priority.js'
import { Justifier, leftJustify, makespanOf, precedenceStart } from './sgs.js'
import { earliestStarts, latestStarts, tails, topologicalOrder } from './temporal.js'
import { Timeline } from './timeline.js'

const EXACT_SHARE = 0.3
/**
 * Above this many tasks the exact step is not tried: on the generated 120-job projects whose model fits
 * (15 of the 40 not solved by a bound) it ran out of its 30% of 4 s on 14 without raising the bound or
 * finding a shorter schedule (the 15th it skipped), while the GA lost that time. On the 60-job ones (62
 * tasks) it proved 3 of 16 optimal in 2 s.
 */
const EXACT_MAX_TASKS = 100
/**
 * CPU time the answer takes after the search (justification, explanations, dates), with room: 1 ms alone,
 * but 15–23 ms measured on j30 beside a busy loop at load 6 (cold caches, collection).
 */
const FINISH_CPU_MS = 30

export const levelOptionsSchema = z.object({
  /** Seed of the search; the same seed, problem and schedule budget give the same schedule. */
  seed: z.number().int().default(1),
  /** Wall-clock cap on the whole search. */
  timeLimitMs: z.number().int().min(1).max(600_000).default(1000),
  /** Cap on schedule generation passes; the run is deterministic when this, not the time, stops it. */
  maxSchedules: z.number().int().min(1).default(200_000),
  /**
   * Prove optimality with the time-indexed MIP (HiGHS) when the heuristic leaves a gap and the model is small
   * (at most EXACT_MAX_TASKS tasks).
   */
  exact: z.enum(['auto', 'off']).default('auto'),
  /**
   * The genetic algorithm: Debels & Vanhoucke's bi-population GA on start times, or the hybrid GA on
   * activity lists of Valls, Ballestín & Quintanilla. `auto` (the default) takes the bi-population GA above
   * EXACT_MAX_TASKS tasks, where it was measured a third closer to the best known on j120, and the hybrid GA
   * up to it, where the exact step finishes the job: on j30 the hybrid GA left 160 of 160 sampled instances
   * optimal in 1 s, the bi-population GA 159, and on j60 the two were level.
   */
  ga: z.enum(['auto', 'bipopulation', 'hybrid']).default('auto'),
})
export type LevelOptions = z.input<typeof levelOptionsSchema>

export interface LevelledTask {
  id: string
  start: number
  finish: number
  /** Earliest start ignoring resources (CPM). */
  earlyStart: number
  /** Days later than earlyStart. */
  delay: number
  /** Why it is later than earlyStart (empty when it is not). */
  delayedBy: DelayReason[]
  startDate?: string
  /** Date of the last working day (the start date for a milestone). */
  finishDate?: string
}

export interface LevelledSchedule {
  feasible: true
  makespan: number
  starts: Record<string, number>
  tasks: LevelledTask[]
  /** The best lower bound on the makespan of any feasible schedule. */
  lowerBound: number
  lowerBounds: { criticalPath: number; resource: number; disjunctive: number; exact?: number }
  /** (makespan - lowerBound) / lowerBound: how far from optimal the schedule can be at most. */
  gap: number
  /** True when makespan equals a lower bound (or the exact search proved it). */
  optimal: boolean
  /** Deadlines are soft: the schedule keeps precedence and capacity, and lists the deadlines it misses. */
  deadlineMisses: { task: string; deadline: number; finish: number }[]
  search: {
    seed: number
    schedules: number
    generations: number
    restarts: number
    stoppedBy: 'lower_bound' | 'schedules' | 'time' | 'exact'
    exact?: 'optimal' | 'improved' | 'bound' | 'time' | 'skipped'
    elapsedMs: number
  }
  projectStartDate?: string
  projectEndDate?: string
}

export interface ResourceInfeasibility {
  feasible: false
  reason: 'demand_exceeds_capacity'
  task: string
  resource: string
  message: string
}

/** Dependency cycles (maximum time lags) together with capacity left no schedule the search could find. */
export interface NoScheduleFound {
  feasible: false
  reason: 'no_schedule_found'
  message: string
}

export type LevelResult = LevelledSchedule | TemporalInfeasibility | ResourceInfeasibility | NoScheduleFound

function levelWithCycles(
  c: Compiled,
  problem: ReturnType<typeof scheduleProblemSchema.parse>,
  es: Int32Array,
  seed: number,
  started: number,
  deadlineAt: number,
): LevelResult {
  let cpEnd = 0
  for (let i = 0; i < c.n; i++) cpEnd = Math.max(cpEnd, es[i]! + c.dur[i]!)
  const starts = levelCyclic(c, new Timeline(c, cpEnd * 2 + 16), deadlineAt)
  if (!starts)
    return {
      feasible: false,
      reason: 'no_schedule_found',
      message:
        'the dependency cycles (maximum time lags) and the capacities left no schedule within the time limit; it may not exist',
    }
  const bounds = lowerBounds(c, es, tails(c, null, cpEnd))
  return buildResult(c, problem, {
    starts,
    makespan: makespanOf(c, starts),
    es,
    lb: bounds.best,
    bounds: { ...bounds, exactBound: undefined },
    search: {
      seed,
      schedules: 1,
      generations: 0,
      restarts: 0,
      stoppedBy: 'schedules',
      elapsedMs: Math.round(performance.now() - started),
    },
  })
}

/**
 * Resource levelling (RCPSP with generalised precedence and per-period capacity): the shortest schedule the
 * search finds within its budget, its lower bounds and gap, and why each task is where it is.
 */
export async function levelSchedule(
  input: ScheduleProblemInput,
  options: LevelOptions = {},
): Promise<LevelResult> {
  // The time limit covers the whole call, validation included.
  const started = performance.now()
  const pace = new Pace()
  const problem = parseInput(scheduleProblemSchema, input, 'schedule problem')
  const opts = parseInput(levelOptionsSchema, options, 'levelling options')
  // Leave room for building the answer (explanations, dates) inside the limit.
  const deadlineAt = started + opts.timeLimitMs * 0.9 - 2
  const c = compile(problem)
  const order = topologicalOrder(c)
  const forward = earliestStarts(c, order)
  if (!forward.ok) return positiveCycle(c, forward.cycle)
  const impossible = demandAboveCapacity(c)
  if (impossible) return impossible
  const es = forward.es
  if (!order) return levelWithCycles(c, problem, es, opts.seed, started, deadlineAt)
  let cpEnd = 0
  for (let i = 0; i < c.n; i++) cpEnd = Math.max(cpEnd, es[i]! + c.dur[i]!)
  const ls = latestStarts(c, order, cpEnd, false)
  const bounds = lowerBounds(c, es, tails(c, order, cpEnd))
  let lb = bounds.best

  const tl = new Timeline(c, cpEnd * 2 + 16)
  const dec = new Decoder(c, tl)
  const rnd = seededRandom(opts.seed)
  const seeds: Individual[] = []
  for (const rule of PRIORITY_RULES) {
    const values = priorityValues(c, rule, es, ls)
    const serial = dec.decode(sampleList(c, values, null))
    if (serial) seeds.push(serial)
    const parallel = dec.decodeParallel(values)
    if (parallel) seeds.push(parallel)
  }
  if (seeds.length === 0) throw new Error('no priority rule produced a schedule')
  // Small projects keep part of the time for the exact step, which can prove optimality or improve.
  const seedBest = Math.min(...seeds.map((x) => x.makespan))
  const exactOn = opts.exact === 'auto' && c.n <= EXACT_MAX_TASKS
  const exactLikely = exactOn && seedBest > lb && exactFits(c, es, seedBest)
  const heuristicEnd = exactLikely ? started + (deadlineAt - started) * (1 - EXACT_SHARE) : deadlineAt
  // Starting HiGHS's worker and compiling its WebAssembly (the first time in a process) runs in the background
  // while the GA works.
  if (exactLikely) warmHighsWorker()
  // The bi-population GA needs the mirrored project to be an RCPSP of the same kind (see mirror.ts).
  const ga = opts.ga === 'auto' ? (c.n > EXACT_MAX_TASKS ? 'bipopulation' : 'hybrid') : opts.ga
  const mirror = ga === 'bipopulation' ? mirrorCompiled(c) : null
  const search = (budget: SearchBudget, from: Individual[]) =>
    mirror && mirrorable(c, mirror)
      ? bipopulationSearch(c, mirror, dec, es, ls, rnd, budget, from)
      : geneticSearch(c, dec, es, ls, rnd, budget, from)
  const { best, stats } = search(
    { maxSchedules: opts.maxSchedules, deadlineAt: heuristicEnd, target: lb },
    seeds,
  )
  let starts = best.starts
  let makespan = best.makespan
  let stoppedBy: LevelledSchedule['search']['stoppedBy'] = stats.stoppedBy
  let exactStatus: LevelledSchedule['search']['exact']
  let exactBound: number | undefined
  if (makespan > lb && exactOn) {
    // Building the answer takes a few CPU milliseconds, several times that in wall time when starved.
    const stepsEnd = deadlineAt - pace.factor() * FINISH_CPU_MS
    const exact = await exactSearch(c, es, makespan, lb, stepsEnd, pace)
    exactStatus = exact.status
    if (exact.status !== 'skipped') {
      exactBound = exact.lowerBound
      lb = Math.max(lb, exact.lowerBound)
      // The MIP's answer passes through floating point: take it only if it checks out.
      if (exact.starts && exact.makespan < makespan && respectsAll(c, exact.starts)) {
        starts = exact.starts
        makespan = exact.makespan
      }
      if (makespan <= lb) stoppedBy = 'exact'
    } else if (heuristicEnd < stepsEnd && dec.schedules < opts.maxSchedules) {
      // On a loaded machine the exact step may not fit in the time kept for it: the GA gets that time back,
      // restarting around its best schedule.
      const more = search({ maxSchedules: opts.maxSchedules, deadlineAt: stepsEnd, target: lb }, [
        best,
        ...seeds,
      ])
      stats.generations += more.stats.generations
      stats.restarts += more.stats.restarts + 1
      stats.schedules = more.stats.schedules
      stoppedBy = more.stats.stoppedBy
      starts = more.best.starts
      makespan = more.best.makespan
    }
  }
  // The exact step's schedule is not left-justified; the explanations need every task as early as it can go.
  starts = starts.slice()
  const final = new Timeline(c, makespan + 1)
  for (let i = 0; i < c.n; i++) final.place(i, starts[i]!)
  leftJustify(c, final, starts, new Justifier(c.n))
  makespan = makespanOf(c, starts)
  return buildResult(c, problem, {
    starts,
    makespan,
    es,
    lb,
    bounds: { ...bounds, exactBound },
    search: {
      seed: opts.seed,
      schedules: stats.schedules,
      generations: stats.generations,
      restarts: stats.restarts,
      stoppedBy,
      ...(exactStatus ? { exact: exactStatus } : {}),
      elapsedMs: Math.round(performance.now() - started),
    },
  })
}

/** Precedence, release dates and capacity on every day, checked on the compiled model. */
function respectsAll(c: Compiled, starts: Int32Array): boolean {
  const tl = new Timeline(c, makespanOf(c, starts) + 1)
  for (let i = 0; i < c.n; i++) {
    if (starts[i]! < precedenceStart(c, i, starts) || !tl.fits(i, starts[i]!)) return false
    tl.place(i, starts[i]!)
  }
  return true
}

function demandAboveCapacity(c: Compiled): ResourceInfeasibility | null {
  for (let i = 0; i < c.n; i++) {
    for (let e = c.demStart[i]!; e < c.demStart[i + 1]!; e++) {
      const k = c.demRes[e]!
      const cap = maxCapacity(c, k)
      if (c.demAmt[e]! > cap + 1e-9) {
        const task = c.ids[i] as string
        const resource = c.resourceIds[k] as string
        return {
          feasible: false,
          reason: 'demand_exceeds_capacity',
          task,
          resource,
          message: `task ${task} needs ${c.demAmt[e]} of ${resource} per day, but ${resource} never has more than ${cap}`,
        }
      }
    }
  }
  return null
}

function buildResult(
  c: Compiled,
  problem: ReturnType<typeof scheduleProblemSchema.parse>,
  r: {
    starts: Int32Array
    makespan: number
    es: Int32Array
    lb: number
    bounds: ReturnType<typeof lowerBounds> & { exactBound: number | undefined }
    search: LevelledSchedule['search']
  },
): LevelledSchedule {
  const reasons = explainDelays(c, problem, r.starts, r.es)
  const cal = problem.calendar ? workingCalendar(problem.calendar) : null
  const tasks: LevelledTask[] = []
  const starts: Record<string, number> = {}
  const deadlineMisses: LevelledSchedule['deadlineMisses'] = []
  for (let i = 0; i < c.n; i++) {
    const id = c.ids[i] as string
    const start = r.starts[i]!
    const finish = start + c.dur[i]!
    starts[id] = start
    const task: LevelledTask = {
      id,
      start,
      finish,
      earlyStart: r.es[i]!,
      delay: start - r.es[i]!,
      delayedBy: reasons[i]!,
    }
    if (cal) {
      task.startDate = cal.dateOf(start)
      task.finishDate = cal.dateOf(Math.max(start, finish - 1))
    }
    tasks.push(task)
    if (finish > c.deadline[i]!) deadlineMisses.push({ task: id, deadline: c.deadline[i]!, finish })
  }
  const gap = r.lb > 0 ? (r.makespan - r.lb) / r.lb : 0
  const result: LevelledSchedule = {
    feasible: true,
    makespan: r.makespan,
    starts,
    tasks,
    lowerBound: r.lb,
    lowerBounds: {
      criticalPath: r.bounds.criticalPath,
      resource: r.bounds.resource,
      disjunctive: r.bounds.disjunctive,
      ...(r.bounds.exactBound !== undefined ? { exact: r.bounds.exactBound } : {}),
    },
    gap,
    optimal: r.makespan <= r.lb,
    deadlineMisses,
    search: r.search,
  }
  if (cal) {
    result.projectStartDate = cal.dateOf(0)
    result.projectEndDate = cal.dateOf(Math.max(0, r.makespan - 1))
  }
  return result
}
