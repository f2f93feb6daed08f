import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { psplibLikeSet } from '../generators/rcpsp.js'
import { checkSchedule } from '../schedule/check.js'
import { levelSchedule } from '../schedule/level.js'

/**
 * The reference makespans of the generated j60/j120 sets (PSPLIB's own j60/j120 files are not available
 * offline): the best of long runs with several seeds, kept in generated-reference.csv and only ever
 * lowered, like PSPLIB's table of best known solutions. The benchmark reports gaps to it and to the lower
 * bounds.
 *
 * npx tsx --conditions=source packages/planning/src/bench/reference.ts [--sets j60,j120] [--seeds 2,3]
 *   [--schedules 1000000] [--time-limit-ms 600000]
 */
export interface ReferenceEntry {
  best: number
  lowerBound: number
  /** Every run that went into it: seed, schedule budget, makespan, CPU ms. */
  runs: { seed: number; schedules: number; makespan: number; cpuMs: number }[]
}
export type Reference = Record<string, ReferenceEntry>

export const REFERENCE_FILE = resolve(import.meta.dirname, 'generated-reference.csv')
const HEADER = 'instance,best,lower_bound,runs (seed:schedules:makespan:cpu_ms)'

export function readReference(): Reference {
  if (!existsSync(REFERENCE_FILE)) return {}
  const ref: Reference = {}
  for (const line of readFileSync(REFERENCE_FILE, 'utf8').trim().split('\n').slice(1)) {
    const [name, best, lowerBound, runs] = line.split(',') as [string, string, string, string]
    ref[name] = {
      best: Number(best),
      lowerBound: Number(lowerBound),
      runs: runs.split(' ').map((r) => {
        const [seed, schedules, makespan, cpuMs] = r.split(':').map(Number) as [
          number,
          number,
          number,
          number,
        ]
        return { seed, schedules, makespan, cpuMs }
      }),
    }
  }
  return ref
}

function writeReference(ref: Reference): void {
  const lines = Object.entries(ref)
    .sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))
    .map(
      ([name, e]) =>
        `${name},${e.best},${e.lowerBound},${e.runs.map((r) => `${r.seed}:${r.schedules}:${r.makespan}:${r.cpuMs}`).join(' ')}`,
    )
  writeFileSync(REFERENCE_FILE, `${[HEADER, ...lines].join('\n')}\n`)
}

/** Lowers the reference of an instance when a makespan (checked feasible by the caller) beats it. */
export function recordRun(
  ref: Reference,
  name: string,
  lowerBound: number,
  run: ReferenceEntry['runs'][number],
) {
  const e = ref[name] ?? { best: run.makespan, lowerBound, runs: [] }
  e.best = Math.min(e.best, run.makespan)
  e.lowerBound = Math.max(e.lowerBound, lowerBound)
  e.runs.push(run)
  ref[name] = e
}

if (import.meta.filename === resolve(process.argv[1] ?? '')) {
  const { values } = parseArgs({
    options: {
      sets: { type: 'string', default: 'j60,j120' },
      seeds: { type: 'string', default: '2,3' },
      schedules: { type: 'string', default: '1000000' },
      'time-limit-ms': { type: 'string', default: '600000' },
    },
  })
  const seeds = values.seeds.split(',').map(Number)
  const maxSchedules = Number(values.schedules)
  const timeLimitMs = Number(values['time-limit-ms'])
  const ref = readReference()
  console.log(
    `reference runs; load average at start: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')}`,
  )
  for (const jobs of [60, 120] as const) {
    if (!values.sets.split(',').includes(`j${jobs}`)) continue
    for (const { name, problem } of psplibLikeSet(jobs)) {
      for (const seed of seeds) {
        const known = ref[name]
        if (known && known.best <= known.lowerBound) break
        if (known?.runs.some((r) => r.seed === seed && r.schedules >= maxSchedules)) continue
        const cpu = process.cpuUsage()
        const r = await levelSchedule(problem, { seed, maxSchedules, timeLimitMs, exact: 'off' })
        const u = process.cpuUsage(cpu)
        if (!r.feasible || checkSchedule(problem, r.starts).length > 0)
          throw new Error(`${name}: no valid schedule`)
        const cpuMs = Math.round((u.user + u.system) / 1000)
        recordRun(ref, name, r.lowerBound, {
          seed,
          schedules: r.search.schedules,
          makespan: r.makespan,
          cpuMs,
        })
        writeReference(ref)
        console.log(
          `${name} seed ${seed}: ${r.makespan} (lb ${r.lowerBound}, best ${ref[name]!.best}) ${cpuMs} ms cpu, load ${loadavg()[0]!.toFixed(2)}`,
        )
      }
    }
  }
}
