import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parsePsplib } from '../formats/psplib.js'
import { psplibLikeSet } from '../generators/rcpsp.js'
import { checkSchedule } from '../schedule/check.js'
import { levelSchedule } from '../schedule/level.js'
import type { ScheduleProblemInput } from '../schedule/model.js'
import { readReference } from './reference.js'
import { pct, printTable, stats, TIME_HEADERS, timeCells, timed } from './table.js'

interface Row {
  name: string
  makespan: number
  reference: number
  lowerBound: number
  criticalPath: number
  feasible: boolean
  wallMs: number
  cpuMs: number
}

async function run(
  name: string,
  problem: ScheduleProblemInput,
  timeLimitMs: number,
  reference: number | undefined,
  budget: Budget,
): Promise<Row> {
  const r = await timed(() =>
    levelSchedule(problem, {
      timeLimitMs,
      exact: budget.exact,
      seed: budget.seed,
      ga: budget.ga,
      ...(budget.maxSchedules ? { maxSchedules: budget.maxSchedules } : {}),
    }),
  )
  if (!r.value.feasible) throw new Error(`${name}: ${r.value.message}`)
  const errors = checkSchedule(problem, r.value.starts)
  if (errors.length > 0) console.error(`${name}: INFEASIBLE ANSWER: ${errors.slice(0, 3).join('; ')}`)
  if (r.wallMs > timeLimitMs)
    console.error(`  ${name}: ${Math.round(r.wallMs)} ms wall (${Math.round(r.cpuMs)} ms cpu) > limit`)
  return {
    name,
    makespan: r.value.makespan,
    reference: reference ?? r.value.lowerBound,
    lowerBound: r.value.lowerBound,
    criticalPath: r.value.lowerBounds.criticalPath,
    feasible: errors.length === 0,
    wallMs: r.wallMs,
    cpuMs: r.cpuMs,
  }
}

function summary(set: string, rows: Row[], against: string, timeLimitMs: number): (string | number)[] {
  const g = stats(rows.map((r) => (r.makespan - r.reference) / r.reference))
  const toLb = stats(rows.map((r) => (r.makespan - r.lowerBound) / r.lowerBound))
  const dev = stats(rows.map((r) => (r.makespan - r.criticalPath) / r.criticalPath))
  const over = (ms: (r: Row) => number) => rows.filter((r) => ms(r) > timeLimitMs).length
  return [
    set,
    rows.length,
    `${rows.filter((r) => r.feasible).length}/${rows.length}`,
    against,
    pct(rows.filter((r) => r.makespan === r.reference).length / rows.length, 1),
    pct(g.mean),
    pct(g.max),
    pct(rows.filter((r) => r.makespan === r.lowerBound).length / rows.length, 1),
    pct(toLb.mean, 2),
    pct(dev.mean, 2),
    timeLimitMs,
    `${over((r) => r.wallMs)}/${over((r) => r.cpuMs)}`,
    ...timeCells(rows),
  ]
}

interface Budget {
  /** A schedule budget instead of the default: with a generous time limit, results that do not depend on load. */
  maxSchedules?: number
  exact: 'auto' | 'off'
  seed: number
  ga: 'auto' | 'bipopulation' | 'hybrid'
}

export async function benchRcpsp(
  opts: {
    psplibDir: string
    sets: Set<string>
    limit: number
    timeLimitMs?: number
    /** Only the generated instances whose best known makespan is above their lower bound. */
    hard?: boolean
  } & Budget,
) {
  const out: (string | number)[][] = []
  if (opts.sets.has('j30')) {
    const dir = join(opts.psplibDir, 'j30')
    const optimum = new Map(
      readFileSync(join(dir, 'optimum.csv'), 'utf8')
        .trim()
        .split('\n')
        .slice(1)
        .map((l) => l.split(',') as [string, string]),
    )
    const files = readdirSync(dir)
      .filter((f) => f.endsWith('.sm'))
      .sort()
    const picked = spread(files, opts.limit)
    const rows: Row[] = []
    const tl = opts.timeLimitMs ?? 1000
    for (const f of picked) {
      const problem = parsePsplib(readFileSync(join(dir, f), 'utf8'))
      const row = await run(f, problem, tl, Number(optimum.get(f)), opts)
      if (row.makespan !== row.reference)
        console.error(`  j30 ${f}: ${row.makespan} vs optimum ${row.reference}`)
      rows.push(row)
    }
    out.push(summary(`PSPLIB j30${tag(opts)}`, rows, 'optimum', tl))
  }
  for (const jobs of [60, 120] as const) {
    if (!opts.sets.has(`j${jobs}`)) continue
    const tl = opts.timeLimitMs ?? (jobs === 60 ? 2000 : 4000)
    const rows: Row[] = []
    // The best known makespan: long multi-seed runs (generated-reference.json, see reference.ts) or this run.
    const ref = readReference()
    let missing = 0
    const instances = psplibLikeSet(jobs).filter(
      ({ name }) => !opts.hard || (ref[name] !== undefined && ref[name].best > ref[name].lowerBound),
    )
    for (const { name, problem } of spread(instances, opts.limit)) {
      const row = await run(name, problem, tl, undefined, opts)
      const known = ref[name]
      if (!known) missing++
      row.reference = Math.min(row.makespan, known?.best ?? row.makespan)
      rows.push(row)
    }
    const against = missing > 0 ? `best known (${missing} w/o long run)` : 'best known'
    out.push(summary(`generated j${jobs}${tag(opts)}`, rows, against, tl))
  }
  if (out.length > 0)
    printTable(
      'RCPSP (makespan); gap to the optimum (j30) or best known makespan (generated: best of long multi-seed runs and this one); "at LB"/"gap LB" = at / mean gap to the lower bound this run proves; "dev CP" = mean deviation from the critical-path bound, the metric PSPLIB results use for j60/j120; "> limit" = instances over the time limit in wall / CPU time',
      [
        'set',
        'n',
        'feasible',
        'against',
        '% equal',
        'mean gap',
        'max gap',
        'at LB',
        'gap LB',
        'dev CP',
        'limit ms',
        '> limit',
        ...TIME_HEADERS,
      ],
      out,
    )
}

/** What the set's name says about the run: a schedule budget, no exact step. */
function tag(b: Budget): string {
  return `${b.maxSchedules ? ` ${b.maxSchedules / 1000}k sched` : ''}${b.exact === 'off' ? ' no MIP' : ''} seed ${b.seed} ${b.ga}`
}

/** At most `limit` items spread evenly over the list (all when limit is 0). */
export function spread<T>(items: T[], limit: number): T[] {
  if (limit <= 0 || limit >= items.length) return items
  return Array.from({ length: limit }, (_, k) => items[Math.floor((k * items.length) / limit)]!)
}
