import { addDays } from '@psa/calendar'
import type { Calendar, Dependency, ScheduleProblem, Task } from '@psa/planning'
import { type CapacitySource, roleResources } from './capacity.js'
import type { PlanDependencyRow, PlanRows, PlanTaskRow } from './rows.js'
import { dayAfter, type WorkingDays, workingDays } from './working-days.js'

export interface PlanOptions {
  /**
   * 'planned' (default): a dated task starts no earlier than its planned start, so the result is the plan as
   * dated (the critical path of the plan). 'free': only the dependencies and the project's start hold it (a
   * fresh schedule, as levelling a draft plan wants).
   */
  starts?: 'planned' | 'free'
  /** Whose capacity the roles have; see `roleResources`. Default 'project' (the people booked on it). */
  capacity?: CapacitySource
  /** Hours in a working day: a task's estimate over its days gives its demand in people. Default 8. */
  hoursPerDay?: number
  /** Weekdays worked, ISO 8601 (1 = Monday). Default Monday to Friday. */
  workingWeekdays?: readonly number[]
}

export interface ProjectPlan {
  /** Ready for `criticalPath` and `levelSchedule` of @psa/planning (tasks keep their row ids). */
  problem: ScheduleProblem
  /** The calendar of `problem`: working day 0 is its `start` (or the next working day). */
  calendar: Calendar
}

/**
 * The scheduling problem of a project's rows, in @psa/planning's working days:
 * - a dated task lasts its working days from `starts_on` to `ends_on` (at least one when it has an
 *   estimate); an undated one its estimate at one person full time (none: a milestone);
 * - a task with a role demands that role at estimate / (duration × hours per day) people every day it runs;
 * - a dependency's lag, stored in calendar days, becomes the working days it spans from the predecessor's
 *   planned date it counts from (its finish for finish-to-start and finish-to-finish, its start otherwise),
 *   or 5/7 of it when the predecessor has no dates;
 * - the calendar starts at the project's start (or the earliest task, if earlier) and its holidays are those
 *   every location of the people observes; a holiday of only some locations is capacity those people lack.
 */
export function projectPlan(rows: PlanRows, options: PlanOptions = {}): ProjectPlan {
  const hoursPerDay = options.hoursPerDay ?? 8
  const weekdays = [...(options.workingWeekdays ?? [1, 2, 3, 4, 5])]
  const starts = rows.tasks.flatMap((t) => (t.starts_on ? [t.starts_on] : []))
  const start = [rows.project.starts_on, ...starts].sort()[0] as string
  const calendar: Calendar = { start, workingWeekdays: weekdays, holidays: sharedHolidays(rows) }
  const days = workingDays(start, weekdays, calendar.holidays)

  const tasks: Task[] = rows.tasks.map((row) => {
    const duration = durationOf(row, days, hoursPerDay)
    const hours = Number(row.estimate_hours)
    const task: Task = { id: row.id, duration, demands: [] }
    if (options.starts !== 'free' && row.starts_on) task.release = Math.max(0, days.index(row.starts_on))
    if (row.role_id && duration > 0 && hours > 0)
      task.demands.push({ resource: row.role_id, amount: round(hours / (duration * hoursPerDay)) })
    return task
  })
  const byId = new Map(rows.tasks.map((t) => [t.id, t]))
  const dependencies: Dependency[] = rows.dependencies.flatMap((d) => {
    const from = byId.get(d.predecessor_task_id)
    if (!from || !byId.has(d.successor_task_id)) return []
    return [
      {
        from: d.predecessor_task_id,
        to: d.successor_task_id,
        type: d.dependency_type,
        lag: lagOf(d, from, days),
      },
    ]
  })

  const roles = [...new Set(tasks.flatMap((t) => t.demands.map((d) => d.resource)))].sort()
  const horizon = horizonOf(rows, days)
  const resources = roleResources(
    rows,
    roles,
    days,
    horizon,
    options.capacity ?? 'project',
    hoursPerDay,
    weekdays.length,
  )
  return { problem: { tasks, dependencies, resources, calendar }, calendar }
}

function durationOf(row: PlanTaskRow, days: WorkingDays, hoursPerDay: number): number {
  const hours = Number(row.estimate_hours)
  if (row.starts_on && row.ends_on) {
    const worked = days.index(dayAfter(row.ends_on)) - days.index(row.starts_on)
    return hours > 0 ? Math.max(1, worked) : Math.max(0, worked)
  }
  return hours > 0 ? Math.ceil(hours / hoursPerDay) : 0
}

function lagOf(d: PlanDependencyRow, from: PlanTaskRow, days: WorkingDays): number {
  if (d.lag_days === 0) return 0
  const fromFinish = d.dependency_type === 'finish_to_start' || d.dependency_type === 'finish_to_finish'
  const anchor = fromFinish ? (from.ends_on ? dayAfter(from.ends_on) : null) : from.starts_on
  if (!anchor) return Math.round((d.lag_days * 5) / 7)
  return days.index(addDays(anchor, d.lag_days)) - days.index(anchor)
}

/** Days the role capacities are worked out for: up to the last dated row. */
function horizonOf(rows: PlanRows, days: WorkingDays): number {
  const ends = [
    ...rows.tasks.map((t) => t.ends_on),
    ...(rows.allocations ?? []).map((a) => a.ends_on),
    ...(rows.timeOff ?? []).map((t) => t.ends_on),
  ].flatMap((d) => (d ? [days.index(dayAfter(d))] : []))
  return Math.min(100_000, Math.max(1, ...ends))
}

/** The holidays every location of the people observes (none when no person has a location). */
function sharedHolidays(rows: PlanRows): string[] {
  const locations = new Set((rows.people ?? []).flatMap((p) => (p.location_id ? [p.location_id] : [])))
  if (locations.size === 0) return []
  const observed = new Map<string, Set<string>>()
  for (const h of rows.holidays ?? []) {
    if (!locations.has(h.location_id)) continue
    const at = observed.get(h.holiday_date) ?? new Set<string>()
    at.add(h.location_id)
    observed.set(h.holiday_date, at)
  }
  return [...observed].flatMap(([date, at]) => (at.size === locations.size ? [date] : [])).sort()
}

function round(v: number): number {
  return Math.round(v * 1000) / 1000
}
