import { parseInput } from '../parse-input.js'
import { delta } from './compiled.js'
import { type ScheduleProblemInput, scheduleProblemSchema } from './model.js'

/**
 * Independent feasibility check of a schedule (start day per task id), written plainly from the model's
 * definitions rather than from the scheduler's data structures: every task has a whole start >= 0 and >= its
 * release, every dependency holds with its lag, and on every day no resource is used beyond its capacity.
 * Deadlines are soft and not checked. Returns what is wrong, empty when feasible.
 */
export function checkSchedule(input: ScheduleProblemInput, starts: Record<string, number>): string[] {
  const p = parseInput(scheduleProblemSchema, input, 'schedule problem')
  const errors: string[] = []
  const dur = new Map(p.tasks.map((t) => [t.id, t.duration]))
  for (const t of p.tasks) {
    const s = starts[t.id]
    if (s === undefined || !Number.isInteger(s) || s < 0)
      errors.push(`task ${t.id} has no valid start (${s})`)
    else if (s < (t.release ?? 0))
      errors.push(`task ${t.id} starts on day ${s}, before its release ${t.release}`)
  }
  if (errors.length > 0) return errors
  for (const d of p.dependencies) {
    const need = delta(d.type, d.lag, dur.get(d.from)!, dur.get(d.to)!)
    if (starts[d.to]! - starts[d.from]! < need)
      errors.push(
        `${d.type} ${d.from} -> ${d.to} (lag ${d.lag}) violated: starts ${starts[d.from]} and ${starts[d.to]}`,
      )
  }
  const horizon = Math.max(0, ...p.tasks.map((t) => starts[t.id]! + t.duration))
  for (const r of p.resources) {
    const capacity = (day: number) => {
      let c = r.capacity
      for (const ch of r.changes) if (day >= ch.from && day < ch.to) c = ch.capacity
      return c
    }
    const use = new Array<number>(horizon).fill(0)
    for (const t of p.tasks) {
      const amount = t.demands.filter((d) => d.resource === r.id).reduce((a, d) => a + d.amount, 0)
      for (let day = starts[t.id]!; day < starts[t.id]! + t.duration; day++) use[day]! += amount
    }
    use.forEach((u, day) => {
      if (u > capacity(day) + 1e-9)
        errors.push(`resource ${r.id} over capacity on day ${day}: ${u} > ${capacity(day)}`)
    })
  }
  return errors
}
