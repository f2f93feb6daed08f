import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { checkAssignment } from '../assign/check.js'
import type { AssignmentProblemInput } from '../assign/model.js'
import { solveAssignment } from '../assign/solve.js'
import { parseOrlibGap } from '../formats/orlib-gap.js'
import { generateGap } from '../generators/gap.js'
import { spread } from './rcpsp-bench.js'
import { pct, printTable, stats, TIME_HEADERS, timeCells, timed } from './table.js'

interface Row {
  feasible: boolean
  optimal: boolean
  gap: number
  gapLp: number
  wallMs: number
  cpuMs: number
}

async function run(
  name: string,
  problem: AssignmentProblemInput,
  reference: number | null,
  timeLimitMs?: number,
) {
  const r = await timed(() => solveAssignment(problem, timeLimitMs ? { timeLimitMs } : {}))
  const v = r.value
  if (!v.feasible) {
    console.error(`  ${name}: no assignment (${v.message})`)
    return { feasible: false, optimal: false, gap: 1, gapLp: 1, wallMs: r.wallMs, cpuMs: r.cpuMs }
  }
  const check = checkAssignment(problem, v.assignment)
  if (check.errors.length > 0 || check.objective !== v.objective)
    console.error(`  ${name}: INFEASIBLE ANSWER: ${check.errors.slice(0, 3).join('; ')}`)
  const ref = reference ?? v.bound
  const gap = Math.abs(v.objective - ref) / Math.abs(ref)
  const gapLp = v.lpBound === null ? Number.NaN : Math.abs(v.objective - v.lpBound) / Math.abs(v.lpBound)
  if (gap > 0.002) console.error(`  ${name}: ${v.objective} vs ${ref} (${pct(gap)})`)
  return {
    feasible: check.errors.length === 0,
    optimal: v.optimal,
    gap,
    gapLp,
    wallMs: r.wallMs,
    cpuMs: r.cpuMs,
  }
}

function summary(set: string, rows: Row[], timeLimit: string) {
  const g = stats(rows.map((r) => r.gap))
  const lp = stats(rows.map((r) => r.gapLp).filter((x) => !Number.isNaN(x)))
  return [
    set,
    rows.length,
    `${rows.filter((r) => r.feasible).length}/${rows.length}`,
    pct(rows.filter((r) => r.optimal).length / rows.length, 1),
    pct(g.mean),
    pct(g.max),
    pct(lp.mean),
    timeLimit,
    ...timeCells(rows),
  ]
}

export async function benchGap(opts: {
  gapDir: string
  sets: Set<string>
  limit: number
  timeLimitMs?: number
}) {
  const out: (string | number)[][] = []
  if (opts.sets.has('gap')) {
    const bounds = new Map<string, number>()
    for (const line of readFileSync(join(opts.gapDir, 'bounds.txt'), 'utf8').trim().split('\n').slice(1)) {
      const [name, objective, lower, upper] = line.trim().split(/\s+/)
      bounds.set(`${name} ${objective}`, Number(objective === 'min' ? lower : upper))
    }
    const files = readdirSync(opts.gapDir)
      .filter((f) => f.endsWith('.txt') && f !== 'bounds.txt')
      .sort()
    const small: Row[] = []
    const large: Row[] = []
    for (const f of spread(files, opts.limit)) {
      const name = f.replace(/\.txt$/, '')
      for (const objective of ['min', 'max'] as const) {
        const problem = parseOrlibGap(readFileSync(join(opts.gapDir, f), 'utf8'), objective)
        const row = await run(
          `${name} ${objective}`,
          problem,
          bounds.get(`${name} ${objective}`) ?? null,
          opts.timeLimitMs,
        )
        // OR-Library's gap1–gap12 (files cMMNN_k) are the small set; a/b/c MMNNN the large (Chu & Beasley).
        ;(/^c\d{4}_\d$/.test(name) ? small : large).push(row)
      }
    }
    const tl = opts.timeLimitMs ? String(opts.timeLimitMs) : 'auto'
    if (small.length) out.push(summary('OR-Lib gap1-12 (5-10 x 15-60)', small, tl))
    if (large.length) out.push(summary('OR-Lib A/B/C (5-20 x 100-200)', large, tl))
  }
  if (opts.sets.has('gap-large')) {
    const rows: Row[] = []
    const types = ['C', 'D', 'E'] as const
    for (const type of opts.limit > 0 ? types.slice(0, Math.max(1, Math.min(3, opts.limit))) : types)
      rows.push(await run(`gen ${type} 80x1600`, generateGap(type, 80, 1600, 1), null, opts.timeLimitMs))
    out.push(
      summary(
        'generated C/D/E 80 x 1600 (vs own bound)',
        rows,
        opts.timeLimitMs ? String(opts.timeLimitMs) : 'auto',
      ),
    )
  }
  if (out.length > 0)
    printTable(
      'GAP (staffing); gap = |objective - best known bound| / bound ("own bound" rows: the LP/MIP bound found)',
      ['set', 'n', 'feasible', '% proven', 'mean gap', 'max gap', 'gap to LP', 'limit ms', ...TIME_HEADERS],
      out,
    )
}
