// How each project performs against its plan: a cost and a schedule performance index per project (most
// within ±12% of plan, amber ones drifting behind), which set its tasks' progress and how much time its team
// has logged. The planted overrun (NW-202) and the planted late milestone keep what the catalogue says.

import { addDays, countWeekdays, earliest, type IsoDate, mondayOf } from '@psa/calendar'
import { rateCardRates } from './analysis.js'
import type { ProjectIndex } from './build-projects.js'
import type { ProjectSpec } from './catalogue.js'
import type { OrgContext } from './context.js'
import type { ProjectRow, TaskRow, TimeEntryRow } from './types.js'

export interface PerformanceTarget {
  /** Earned value over actual cost (at the rate card). */
  cpi: number
  /** Earned value over planned value. */
  spi: number
}

/** Planted problems set their own figures; everything else follows a target. */
export function plantedProject(spec: ProjectSpec): boolean {
  return spec.burnTarget !== undefined || spec.lateMilestone !== undefined || spec.health === 'red'
}

export function performanceTarget(ctx: OrgContext, spec: ProjectSpec): PerformanceTarget {
  const random = ctx.random(`performance/${spec.code}`)
  if (spec.health === 'amber') {
    // Amber projects drift: over budget and behind, past the ±10% a manager shrugs at.
    return { cpi: 0.84 + 0.05 * random.float(), spi: 0.86 + 0.06 * random.float() }
  }
  // Green ones are near plan, a few comfortably ahead or under budget.
  const near = () => (random.chance(0.15) ? 1.1 + 0.05 * random.float() : 0.92 + 0.16 * random.float())
  return { cpi: near(), spi: near() }
}

function weekdays(from: IsoDate, to: IsoDate): number {
  return to < from ? 0 : countWeekdays(from, to)
}

/** The last day a project worked: the day before today, or before it was paused or stopped. */
function lastWorkingDay(ctx: OrgContext, spec: ProjectSpec): IsoDate {
  return addDays(spec.haltedWeek === undefined ? ctx.anchor : ctx.monday(spec.haltedWeek), -1)
}

/**
 * Sets the progress of the tasks under way so that the project's done hours are `earnedHours`, each
 * further along or behind its share of elapsed working days by the same factor (done and future tasks stay).
 */
function setRunningProgress(
  tasks: readonly TaskRow[],
  lastDay: IsoDate,
  earnedHours: (planned: number) => number,
) {
  const share = (t: TaskRow) =>
    weekdays(t.starts_on, earliest([t.ends_on, lastDay])) / weekdays(t.starts_on, t.ends_on)
  const running = tasks.filter((t) => t.status === 'in_progress' || t.status === 'blocked')
  const planned = tasks.reduce((sum, t) => sum + t.estimate_hours * share(t), 0)
  const done = tasks.filter((t) => t.status === 'done').reduce((sum, t) => sum + t.estimate_hours, 0)
  const base = running.reduce((sum, t) => sum + t.estimate_hours * share(t), 0)
  if (base <= 0) return
  const factor = Math.max(0, earnedHours(planned) - done) / base
  for (const t of running) {
    t.percent_complete = Math.min(95, Math.max(5, Math.round(share(t) * factor * 20) * 5))
  }
}

/** Progress of a running project's tasks that puts its earned value at `spi` × its planned value. */
export function applySchedulePerformance(ctx: OrgContext, projects: ProjectIndex): void {
  for (const [code, spec] of projects.specs) {
    if (spec.status !== 'active' || plantedProject(spec)) continue
    const { spi } = performanceTarget(ctx, spec)
    setRunningProgress(projects.tasks.get(code) ?? [], lastWorkingDay(ctx, spec), (planned) => spi * planned)
  }
}

/** Most a person logs on one project in a week against their booking, and on one day in all. */
const MAX_WEEK_OVER_BOOKING = 1.2
const MAX_DAY_HOURS = 11.5

/**
 * Logged time scaled so that each project's actual cost at its rate card is its earned value over `cpi`,
 * within what a timesheet plausibly shows against its bookings (−15% to +18%, never more than 20% over a
 * week's booking or 11.5 hours in a day).
 */
export function applyCostPerformance(
  ctx: OrgContext,
  projects: ProjectIndex,
  /** The time entries of these projects' people (no one else's). */
  logged: readonly TimeEntryRow[],
): void {
  const rate = rateCardRates(ctx.tables, ctx.orgId)
  const roleOf = new Map(
    [...projects.slots].flatMap((s) => (s.person ? [[s.person.id, s.person.role_id]] : [])),
  )
  /** Booked time at the project's rate card: billable hours on T&M, every hour otherwise. */
  const actualAtRateCard = (project: ProjectRow, mine: readonly TimeEntryRow[]) =>
    mine.reduce(
      (sum, e) =>
        project.billing_model === 'time_and_materials' && !e.billable
          ? sum
          : sum + e.hours * rate(project.rate_card_id, roleOf.get(e.person_id) ?? '', e.work_date),
      0,
    )
  const entries = new Map<string, TimeEntryRow[]>()
  for (const e of logged) {
    const list = entries.get(e.project_id)
    if (list) list.push(e)
    else entries.set(e.project_id, [e])
  }
  const booked = new Map<string, number>()
  for (const s of projects.slots) {
    const a = s.allocation
    if (a?.kind !== 'hard') continue
    const key = `${a.person_id}/${a.project_id}`
    booked.set(key, Math.max(booked.get(key) ?? 0, a.hours_per_week))
  }
  const quarter = (hours: number) => Math.max(0.5, Math.floor(hours * 4) / 4)
  for (const [code, spec] of projects.specs) {
    const project = projects.projects.get(code)
    if (!project || spec.burnTarget !== undefined || spec.status === 'tentative') continue
    const mine = entries.get(project.id) ?? []
    const actual = actualAtRateCard(project, mine)
    const tasks = projects.tasks.get(code) ?? []
    const estimate = tasks.reduce((sum, t) => sum + t.estimate_hours, 0)
    if (actual <= 0 || estimate <= 0) continue
    const progress =
      tasks.reduce((sum, t) => sum + t.estimate_hours * t.percent_complete, 0) / (100 * estimate)
    const { cpi } = performanceTarget(ctx, spec)
    const factor = Math.min(1.18, Math.max(0.85, (progress * project.budget_minor) / (actual * cpi)))
    const weeks = new Map<string, TimeEntryRow[]>()
    for (const e of mine) {
      e.hours = Math.max(0.5, Math.round(e.hours * factor * 4) / 4)
      const key = `${e.person_id}/${mondayOf(e.work_date)}`
      const week = weeks.get(key)
      if (week) week.push(e)
      else weeks.set(key, [e])
    }
    for (const [key, week] of weeks) {
      const limit = MAX_WEEK_OVER_BOOKING * (booked.get(`${key.split('/')[0]}/${project.id}`) ?? 0)
      const total = week.reduce((sum, e) => sum + e.hours, 0)
      if (total > limit) for (const e of week) e.hours = quarter((e.hours * limit) / total)
    }
  }
  const days = new Map<string, TimeEntryRow[]>()
  for (const e of logged) {
    const key = `${e.person_id}/${e.work_date}`
    const day = days.get(key)
    if (day) day.push(e)
    else days.set(key, [e])
  }
  for (const day of days.values()) {
    const total = day.reduce((sum, e) => sum + e.hours, 0)
    if (total > MAX_DAY_HOURS) for (const e of day) e.hours = quarter((e.hours * MAX_DAY_HOURS) / total)
  }
  // Where the timesheets could not carry the difference (time off, a short project) and cost performance
  // is off by more than 12%, the work under way is as far along as the hours logged pay for.
  for (const [code, spec] of projects.specs) {
    const project = projects.projects.get(code)
    const halted = spec.status === 'on_hold' || spec.status === 'cancelled'
    if (!project || plantedProject(spec) || !(spec.status === 'active' || halted)) continue
    const tasks = projects.tasks.get(code) ?? []
    const estimate = tasks.reduce((sum, t) => sum + t.estimate_hours, 0)
    const actual = actualAtRateCard(project, entries.get(project.id) ?? [])
    if (actual <= 0 || estimate <= 0 || project.budget_minor <= 0) continue
    const { cpi } = performanceTarget(ctx, spec)
    const progress =
      tasks.reduce((sum, t) => sum + t.estimate_hours * t.percent_complete, 0) / (100 * estimate)
    const achieved = (progress * project.budget_minor) / actual
    if (achieved >= 0.88 && achieved <= 1.14) continue
    const earned = (Math.min(1.1, Math.max(0.9, cpi)) * actual * estimate) / project.budget_minor
    setRunningProgress(tasks, lastWorkingDay(ctx, spec), () => earned)
  }
}
