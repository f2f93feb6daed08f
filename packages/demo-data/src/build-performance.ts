// How each project performs against its plan: a cost and a schedule performance index per project (most
// within ±12% of plan, amber ones drifting behind), which set its tasks' progress and how much time its team
// has logged. The planted overrun (NW-202) and the planted late milestone keep what the catalogue says.

import { addDays, countWeekdays, earliest, type IsoDate, mondayOf } from '@psa/calendar'
import { rateCardRates } from './analysis.js'
import type { ProjectIndex } from './build-projects.js'
import type { ProjectSpec } from './catalogue.js'
import type { OrgContext } from './context.js'
import type { TaskRow } from './types.js'

export interface PerformanceTarget {
  /** Earned value over actual cost (at the rate card). */
  cpi: number
  /** Earned value over planned value. */
  spi: number
}

/** Planted problems set their own figures; everything else follows a target. */
function planted(spec: ProjectSpec): boolean {
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

/**
 * Progress of a running project's tasks that puts its earned value at `spi` × its planned value: the tasks
 * under way are further along or behind their share of elapsed working days (done and future tasks stay).
 */
export function applySchedulePerformance(ctx: OrgContext, projects: ProjectIndex): void {
  const lastDay = addDays(ctx.anchor, -1)
  for (const [code, spec] of projects.specs) {
    if (spec.status !== 'active' || planted(spec)) continue
    const { spi } = performanceTarget(ctx, spec)
    const tasks = projects.tasks.get(code) ?? []
    const share = (t: TaskRow) =>
      weekdays(t.starts_on, earliest([t.ends_on, lastDay])) / weekdays(t.starts_on, t.ends_on)
    const running = tasks.filter((t) => t.status === 'in_progress' || t.status === 'blocked')
    const planned = tasks.reduce((sum, t) => sum + t.estimate_hours * share(t), 0)
    const done = tasks.filter((t) => t.status === 'done').reduce((sum, t) => sum + t.estimate_hours, 0)
    const base = running.reduce((sum, t) => sum + t.estimate_hours * share(t), 0)
    if (base <= 0) continue
    const factor = Math.max(0, spi * planned - done) / base
    for (const t of running) {
      t.percent_complete = Math.min(95, Math.max(5, Math.round(share(t) * factor * 20) * 5))
    }
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
export function applyCostPerformance(ctx: OrgContext, projects: ProjectIndex): void {
  const rate = rateCardRates(ctx.tables, ctx.orgId)
  const people = new Map(ctx.tables.people.map((p) => [p.id, p]))
  const entries = new Map<string, typeof ctx.tables.time_entries>()
  for (const e of ctx.tables.time_entries) {
    if (e.organisation_id !== ctx.orgId) continue
    const list = entries.get(e.project_id) ?? []
    list.push(e)
    entries.set(e.project_id, list)
  }
  const booked = new Map<string, number>()
  for (const a of ctx.tables.allocations) {
    if (a.organisation_id !== ctx.orgId || a.kind !== 'hard') continue
    const key = `${a.person_id}/${a.project_id}`
    booked.set(key, Math.max(booked.get(key) ?? 0, a.hours_per_week))
  }
  const quarter = (hours: number) => Math.max(0.5, Math.floor(hours * 4) / 4)
  for (const [code, spec] of projects.specs) {
    const project = projects.projects.get(code)
    if (!project || spec.burnTarget !== undefined || spec.status === 'tentative') continue
    const mine = entries.get(project.id) ?? []
    const counted = mine.filter((e) => project.billing_model !== 'time_and_materials' || e.billable)
    const actual = counted.reduce(
      (sum, e) =>
        sum + e.hours * rate(project.rate_card_id, people.get(e.person_id)?.role_id ?? '', e.work_date),
      0,
    )
    const tasks = projects.tasks.get(code) ?? []
    const estimate = tasks.reduce((sum, t) => sum + t.estimate_hours, 0)
    if (actual <= 0 || estimate <= 0) continue
    const progress =
      tasks.reduce((sum, t) => sum + t.estimate_hours * t.percent_complete, 0) / (100 * estimate)
    const { cpi } = performanceTarget(ctx, spec)
    const factor = Math.min(1.18, Math.max(0.85, (progress * project.budget_minor) / (actual * cpi)))
    const weeks = new Map<string, typeof mine>()
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
  const days = new Map<string, typeof ctx.tables.time_entries>()
  for (const e of ctx.tables.time_entries) {
    if (e.organisation_id !== ctx.orgId) continue
    const key = `${e.person_id}/${e.work_date}`
    const day = days.get(key)
    if (day) day.push(e)
    else days.set(key, [e])
  }
  for (const day of days.values()) {
    const total = day.reduce((sum, e) => sum + e.hours, 0)
    if (total > MAX_DAY_HOURS) for (const e of day) e.hours = quarter((e.hours * MAX_DAY_HOURS) / total)
  }
}
