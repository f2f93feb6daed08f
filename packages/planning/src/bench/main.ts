import { existsSync } from 'node:fs'
import { loadavg } from 'node:os'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { benchGap } from './gap-bench.js'
import { benchRcpsp } from './rcpsp-bench.js'

/**
 * npm run bench:planning [-- --sets j30,j60,j120,gap,gap-large] [--limit N] [--time-limit-ms N] [--max-schedules N]
 *   [--exact auto|off] [--seed N] [--hard] [--ga auto|bipopulation|hybrid] [--benchmarks DIR]
 * --max-schedules with a generous --time-limit-ms gives scheduling results that do not depend on the machine's load
 * (the schedule budget, not the clock, stops each run; the CPU columns then say what the budget costs).
 * The generated RCPSP sets are compared with the best makespans of long multi-seed runs (reference.ts keeps
 * them in generated-reference.json) and with the lower bounds.
 * --hard keeps only the generated instances whose best known makespan is above their lower bound (the ones a
 * search can still be measured on); --seed sets the search's seed; --ga picks the genetic algorithm.
 * --exact off measures the scheduling heuristic alone (no HiGHS step), as the literature's schedule budgets do.
 * Every answer is checked for feasibility by an independent checker. Wall time is what the limits use; CPU
 * time shows how much of a core the process really had (other work on the machine slows wall time only).
 */
const { values } = parseArgs({
  options: {
    sets: { type: 'string', default: 'j30,j60,j120,gap,gap-large' },
    limit: { type: 'string', default: '0' },
    'time-limit-ms': { type: 'string' },
    'max-schedules': { type: 'string' },
    benchmarks: { type: 'string' },
    exact: { type: 'string', default: 'auto' },
    seed: { type: 'string', default: '1' },
    hard: { type: 'boolean', default: false },
    ga: { type: 'string', default: 'auto' },
  },
})
// The benchmark data sits in shared/ beside the repository (or beside its worktrees' folder).
const repo = resolve(import.meta.dirname, '../../../..')
const benchmarks =
  values.benchmarks ??
  [resolve(repo, '../shared/benchmarks'), resolve(repo, '../../shared/benchmarks')].find((d) => existsSync(d))
if (!benchmarks) {
  console.error('no shared/benchmarks beside the repository; pass --benchmarks DIR')
  process.exit(2)
}
const sets = new Set(values.sets.split(','))
const limit = Number(values.limit)
if (values.exact !== 'auto' && values.exact !== 'off') {
  console.error('--exact is auto or off')
  process.exit(2)
}
const exact = values.exact
if (values.ga !== 'auto' && values.ga !== 'bipopulation' && values.ga !== 'hybrid') {
  console.error('--ga is auto, bipopulation or hybrid')
  process.exit(2)
}
const ga = values.ga
const timeLimitMs = values['time-limit-ms'] ? Number(values['time-limit-ms']) : undefined
const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')
console.log(
  `planning benchmarks; load average at start: ${load()} (2 cores shared; each solve is single-threaded)`,
)
await benchRcpsp({
  psplibDir: resolve(benchmarks, 'psplib'),
  sets,
  limit,
  ...(timeLimitMs ? { timeLimitMs } : {}),
  ...(values['max-schedules'] ? { maxSchedules: Number(values['max-schedules']) } : {}),
  exact,
  seed: Number(values.seed),
  hard: values.hard,
  ga,
})
await benchGap({ gapDir: resolve(benchmarks, 'gap'), sets, limit, ...(timeLimitMs ? { timeLimitMs } : {}) })
console.log(`\nload average at end: ${load()}`)
