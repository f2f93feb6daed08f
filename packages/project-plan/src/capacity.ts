import type { Resource } from '@psa/planning'
import type { PlanRows } from './rows.js'
import { dayAfter, type WorkingDays } from './working-days.js'

export type CapacitySource = 'project' | 'organisation'

/**
 * One renewable resource per role, in people (1 = one person full time), day by day over `horizon` working
 * days: with 'project' the people booked on this project at their booked hours; with 'organisation' every
 * person of the role at their weekly capacity less their bookings on other projects (soft ones too: a soft
 * booking is a promise). Time off and location holidays the project's calendar does not already have take
 * the person's day away. After the last day that changes a role keeps the most it ever had, so a schedule
 * that runs later than the bookings still exists (and shows the days it needs).
 */
export function roleResources(
  rows: PlanRows,
  roleIds: readonly string[],
  days: WorkingDays,
  horizon: number,
  source: CapacitySource,
  hoursPerDay: number,
  weekdaysPerWeek: number,
): Resource[] {
  const byRole = new Map(roleIds.map((id) => [id, new Float64Array(horizon)]))
  const span = (from: string, to: string) => ({
    from: Math.max(0, days.index(from)),
    to: Math.min(horizon, days.index(dayAfter(to))),
  })
  const perDay = (weekly: string | number) => Number(weekly) / weekdaysPerWeek / hoursPerDay

  for (const person of rows.people ?? []) {
    const daily = byRole.get(person.role_id)
    if (!daily) continue
    const own = new Float64Array(horizon)
    const bookings = (rows.allocations ?? []).filter((a) => a.person_id === person.id)
    if (source === 'organisation') own.fill(perDay(person.weekly_capacity_hours))
    for (const a of bookings) {
      const here = a.project_id === rows.project.id
      if ((source === 'project') !== here) continue
      const { from, to } = span(a.starts_on, a.ends_on)
      const amount = perDay(a.hours_per_week) * (here ? 1 : -1)
      for (let d = from; d < to; d++) own[d] = (own[d] as number) + amount
    }
    // The share of each day the person is away (1 = the whole day).
    const away = new Float64Array(horizon)
    const dayHours = Number(person.weekly_capacity_hours) / weekdaysPerWeek || hoursPerDay
    for (const t of (rows.timeOff ?? []).filter((t) => t.person_id === person.id)) {
      const { from, to } = span(t.starts_on, t.ends_on)
      for (let d = from; d < to; d++)
        away[d] = Math.min(1, (away[d] as number) + Number(t.hours_per_day) / dayHours)
    }
    for (const h of rows.holidays ?? []) {
      if (h.location_id !== person.location_id || !days.isWorking(h.holiday_date)) continue
      const d = days.index(h.holiday_date)
      if (d >= 0 && d < horizon) away[d] = 1
    }
    for (let d = 0; d < horizon; d++)
      daily[d] = (daily[d] as number) + Math.max(0, (own[d] as number) * (1 - (away[d] as number)))
  }

  return roleIds.map((id) => runs(id, byRole.get(id) as Float64Array))
}

/** A day-by-day capacity as a base capacity (the largest) and the runs of days that differ from it. */
function runs(id: string, daily: Float64Array): Resource {
  const round = (v: number) => Math.round(v * 1000) / 1000
  const values = Array.from(daily, round)
  const capacity = values.reduce((a, b) => Math.max(a, b), 0)
  const changes: Resource['changes'] = []
  for (let d = 0; d < values.length; ) {
    const v = values[d] as number
    let end = d + 1
    while (end < values.length && values[end] === v) end++
    // The last run is left to the base capacity: after the last booking a role keeps the most it had.
    if (v !== capacity && end < values.length) changes.push({ from: d, to: end, capacity: v })
    d = end
  }
  return { id, capacity, changes }
}
