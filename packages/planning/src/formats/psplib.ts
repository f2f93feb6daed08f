import type { ScheduleProblemInput } from '../schedule/model.js'
import { FormatError } from './format-error.js'

/**
 * PSPLIB single-mode RCPSP files (*.sm, Kolisch & Sprecher 1996): precedence relations, durations and
 * demands, renewable capacities. Jobs keep their numbers as task ids ("1" is the source, the last the sink);
 * resources are named R1, R2, ….
 */
export function parsePsplib(text: string): ScheduleProblemInput {
  const lines = text.split(/\r?\n/)
  const find = (re: RegExp) => lines.findIndex((l) => re.test(l))
  const ints = (k: number): number[] => {
    const parts = (lines[k] ?? '').trim().split(/\s+/)
    return parts.map((p) => {
      if (!/^-?\d+$/.test(p)) throw new FormatError(k + 1, `expected whole numbers, found "${p}"`)
      return Number(p)
    })
  }
  const jobsLine = find(/^jobs \(incl\. supersource\/sink \)\s*:/)
  if (jobsLine < 0) throw new FormatError(0, 'missing "jobs (incl. supersource/sink ):" header')
  const nJobs = Number((lines[jobsLine] as string).split(':')[1]?.trim())
  if (!Number.isInteger(nJobs) || nJobs < 1) throw new FormatError(jobsLine + 1, 'bad number of jobs')
  const renewableLine = find(/^\s*- renewable\s*:/)
  if (renewableLine < 0) throw new FormatError(0, 'missing "- renewable :" header')
  const nRes = Number(/:\s*(\d+)/.exec(lines[renewableLine] as string)?.[1])
  if (!Number.isInteger(nRes)) throw new FormatError(renewableLine + 1, 'bad number of renewable resources')

  const precLine = find(/^PRECEDENCE RELATIONS:/)
  if (precLine < 0) throw new FormatError(0, 'missing "PRECEDENCE RELATIONS:" section')
  const dependencies: { from: string; to: string }[] = []
  for (let j = 0; j < nJobs; j++) {
    const k = precLine + 2 + j
    const v = ints(k)
    const [job, , count] = v
    if (job !== j + 1) throw new FormatError(k + 1, `expected job ${j + 1}, found ${job ?? 'nothing'}`)
    if (count === undefined || v.length !== 3 + count)
      throw new FormatError(
        k + 1,
        `job ${job} announces ${count ?? '?'} successors but lists ${v.length - 3}`,
      )
    for (const s of v.slice(3)) {
      if (s < 1 || s > nJobs) throw new FormatError(k + 1, `successor ${s} is not a job`)
      dependencies.push({ from: String(job), to: String(s) })
    }
  }
  const reqLine = find(/^REQUESTS\/DURATIONS:/)
  if (reqLine < 0) throw new FormatError(0, 'missing "REQUESTS/DURATIONS:" section')
  const tasks: NonNullable<ScheduleProblemInput['tasks']> = []
  for (let j = 0; j < nJobs; j++) {
    const k = reqLine + 3 + j
    const v = ints(k)
    if (v[0] !== j + 1) throw new FormatError(k + 1, `expected job ${j + 1}, found ${v[0]}`)
    if (v.length !== 3 + nRes)
      throw new FormatError(
        k + 1,
        `expected job, mode, duration and ${nRes} demands, found ${v.length} numbers`,
      )
    const duration = v[2] as number
    if (duration < 0) throw new FormatError(k + 1, 'negative duration')
    tasks.push({
      id: String(j + 1),
      duration,
      demands: v
        .slice(3)
        .map((amount, r) => ({ resource: `R${r + 1}`, amount }))
        .filter((d) => d.amount > 0),
    })
  }
  const availLine = find(/^RESOURCEAVAILABILITIES:/)
  if (availLine < 0) throw new FormatError(0, 'missing "RESOURCEAVAILABILITIES:" section')
  const caps = ints(availLine + 2)
  if (caps.length !== nRes)
    throw new FormatError(availLine + 3, `expected ${nRes} capacities, found ${caps.length}`)
  return {
    tasks,
    dependencies,
    resources: caps.map((capacity, r) => ({ id: `R${r + 1}`, capacity })),
  }
}
