import { addDays, daysBetween } from '@psa/calendar'

export interface PlannedTask {
  id: string
  starts_on: string | null
  ends_on: string | null
}

export interface PlannedDependency {
  predecessor_task_id: string
  successor_task_id: string
  dependency_type: 'finish_to_start' | 'start_to_start' | 'finish_to_finish' | 'start_to_finish'
  lag_days: number
}

export interface CriticalPath {
  /** Tasks with no slack against the project's finish, in start order. */
  task_ids: string[]
  /** Earliest finish of the plan as its dependencies allow (the last day of work). */
  finishes_on: string | null
}

/**
 * The plan's critical path: a forward and a backward pass over the dated tasks in working days (Mon-Fri;
 * a dependency's lag is in calendar days, as the plan's dates honour it), each task's planned start acting as
 * "start no earlier than". This is the single place the project page's critical path comes from; the
 * planning engine (@psa/planning) is to replace the body of this function once it lands, so nothing else
 * here knows how CPM is done.
 */
export function criticalPath(
  tasks: readonly PlannedTask[],
  dependencies: readonly PlannedDependency[],
): CriticalPath {
  const dated = tasks.filter((t): t is PlannedTask & { starts_on: string; ends_on: string } =>
    Boolean(t.starts_on && t.ends_on),
  )
  if (dated.length === 0) return { task_ids: [], finishes_on: null }
  const index = new Map(dated.map((t, i) => [t.id, i]))
  const release = dated.map((t) => workday(t.starts_on))
  const duration = dated.map((t, i) => Math.max(1, workday(t.ends_on) + 1 - (release[i] as number)))
  // Each link as "successor start >= predecessor start + offset" in working days, the calendar lag read
  // against the predecessor's planned dates.
  const links = dependencies.flatMap((d) => {
    const from = index.get(d.predecessor_task_id)
    const to = index.get(d.successor_task_id)
    if (from === undefined || to === undefined) return []
    const p = dated[from] as { starts_on: string; ends_on: string }
    const dp = duration[from] as number
    const ds = duration[to] as number
    const offset = {
      finish_to_start: workday(addDays(p.ends_on, 1 + d.lag_days)) - workday(p.starts_on),
      start_to_start: workday(addDays(p.starts_on, d.lag_days)) - workday(p.starts_on),
      finish_to_finish: workday(addDays(p.ends_on, d.lag_days)) + 1 - workday(p.starts_on) - ds,
      start_to_finish: workday(addDays(p.starts_on, d.lag_days)) + 1 - workday(p.starts_on) - ds,
    }[d.dependency_type]
    return [{ from, to, offset: Math.max(offset, d.dependency_type === 'finish_to_start' ? dp : -Infinity) }]
  })

  const order = topologicalOrder(dated.length, links)
  if (!order) return { task_ids: [], finishes_on: null }
  const es = [...release]
  for (const i of order) {
    for (const l of links)
      if (l.to === i) es[i] = Math.max(es[i] as number, (es[l.from] as number) + l.offset)
  }
  const ef = es.map((s, i) => s + (duration[i] as number))
  const finish = Math.max(...ef)
  const ls = ef.map((_, i) => finish - (duration[i] as number))
  for (const i of [...order].reverse()) {
    for (const l of links)
      if (l.from === i) ls[i] = Math.min(ls[i] as number, (ls[l.to] as number) - l.offset)
  }
  const critical = dated
    .map((t, i) => ({ id: t.id, es: es[i] as number, slack: (ls[i] as number) - (es[i] as number) }))
    .filter((t) => t.slack <= 0)
    .sort((a, b) => a.es - b.es)
  return { task_ids: critical.map((t) => t.id), finishes_on: fromWorkday(finish - 1) }
}

// Working days counted from Monday 2000-01-03; a weekend date counts as the Monday after it.
const EPOCH = '2000-01-03'

function workday(date: string): number {
  const days = daysBetween(EPOCH, date)
  const week = Math.floor(days / 7)
  return week * 5 + Math.min(days - week * 7, 5)
}

function fromWorkday(n: number): string {
  const week = Math.floor(n / 5)
  return addDays(EPOCH, week * 7 + (n - week * 5))
}

function topologicalOrder(count: number, deps: readonly { from: number; to: number }[]): number[] | null {
  const incoming = new Array<number>(count).fill(0)
  for (const d of deps) incoming[d.to] = (incoming[d.to] as number) + 1
  const ready = incoming.flatMap((n, i) => (n === 0 ? [i] : []))
  const order: number[] = []
  while (ready.length > 0) {
    const i = ready.shift() as number
    order.push(i)
    for (const d of deps.filter((d) => d.from === i)) {
      incoming[d.to] = (incoming[d.to] as number) - 1
      if (incoming[d.to] === 0) ready.push(d.to)
    }
  }
  return order.length === count ? order : null
}
