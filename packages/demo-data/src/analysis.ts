// Read-only measures over the demo rows: the same questions the product asks (who is over-allocated, which
// project is burning its budget, which milestones are late, where skills are short). Tests use them to prove
// the planted problems are really in the data, and nothing else is.

import { addDays, countWeekdays, earliest, type IsoDate, isoWeekday, mondayOf } from '@psa/calendar'
import type { AllocationRow, DemoTables, ProjectRow, TaskRow, TimeEntryRow } from './types.js'

export interface WeeklyLoad {
  personId: string
  /** Monday of the week. */
  week: IsoDate
  allocatedHours: number
  capacityHours: number
}

/** Hours booked per person per week (all allocations, soft and hard, overlapping the week's Monday-Friday). */
export function weeklyLoads(tables: DemoTables, organisationId: string): WeeklyLoad[] {
  const capacity = new Map(tables.people.map((p) => [p.id, p.weekly_capacity_hours]))
  const load = new Map<string, number>()
  for (const a of tables.allocations) {
    if (a.organisation_id !== organisationId) continue
    for (let week = mondayOf(a.starts_on); week <= a.ends_on; week = addDays(week, 7)) {
      if (addDays(week, 4) < a.starts_on) continue
      const key = `${a.person_id}|${week}`
      load.set(key, (load.get(key) ?? 0) + a.hours_per_week)
    }
  }
  return [...load.entries()].map(([key, hours]) => {
    const [personId, week] = key.split('|') as [string, IsoDate]
    return { personId, week, allocatedHours: hours, capacityHours: capacity.get(personId) ?? 0 }
  })
}

export function overAllocations(tables: DemoTables, organisationId: string): WeeklyLoad[] {
  return weeklyLoads(tables, organisationId)
    .filter((l) => l.allocatedHours > l.capacityHours)
    .sort((a, b) => (a.week < b.week ? -1 : a.week > b.week ? 1 : a.personId.localeCompare(b.personId)))
}

export interface ProjectBurn {
  projectId: string
  code: string
  status: string
  /** Booked time at the project's rate card (billable hours on T&M, every hour otherwise): the AC of earned value. */
  burnMinor: number
  /** Hours at each person's cost rate: what the time cost the firm (for margin, not burn). */
  costToDateMinor: number
  billableValueMinor: number
  budgetMinor: number
  /** Budget burn as the product reports it (@psa/project-burn's `budgetBurn`): burnMinor / budget, percent. */
  burnPct: number
}

export function projectBurn(tables: DemoTables, organisationId: string): ProjectBurn[] {
  const people = new Map(tables.people.map((p) => [p.id, p]))
  const actual = rateCardActuals(tables, organisationId)
  const cost = new Map<string, number>()
  const value = new Map<string, number>()
  for (const t of tables.time_entries) {
    if (t.organisation_id !== organisationId) continue
    const person = people.get(t.person_id)
    if (!person) continue
    cost.set(t.project_id, (cost.get(t.project_id) ?? 0) + Math.round(t.hours * person.cost_rate_minor))
    if (t.billable)
      value.set(t.project_id, (value.get(t.project_id) ?? 0) + Math.round(t.hours * person.bill_rate_minor))
  }
  return tables.projects
    .filter((p) => p.organisation_id === organisationId)
    .map((p) => {
      const burn = actual.get(p.id) ?? 0
      return {
        projectId: p.id,
        code: p.code,
        status: p.status,
        burnMinor: burn,
        costToDateMinor: cost.get(p.id) ?? 0,
        billableValueMinor: value.get(p.id) ?? 0,
        budgetMinor: p.budget_minor,
        burnPct: p.budget_minor > 0 ? Math.round((burn / p.budget_minor) * 10_000) / 100 : 0,
      }
    })
}

export function lateMilestones(tables: DemoTables, organisationId: string, asOf: IsoDate) {
  return tables.milestones.filter(
    (m) => m.organisation_id === organisationId && m.completed_on === null && m.due_on < asOf,
  )
}

export interface SkillSupply {
  /** People (active) at or above the proficiency. */
  qualifiedPersonIds: string[]
  /** Requests for the skill at or above the proficiency that are open or partially filled. */
  unmetRequestIds: string[]
  unmetHoursPerWeek: number
}

export function skillSupply(
  tables: DemoTables,
  organisationId: string,
  skillName: string,
  minProficiency: number,
): SkillSupply {
  const skill = tables.skills.find((s) => s.organisation_id === organisationId && s.name === skillName)
  if (!skill) return { qualifiedPersonIds: [], unmetRequestIds: [], unmetHoursPerWeek: 0 }
  const active = new Set(
    tables.people.filter((p) => p.active && p.organisation_id === organisationId).map((p) => p.id),
  )
  const qualifiedPersonIds = tables.person_skills
    .filter((ps) => ps.skill_id === skill.id && ps.proficiency >= minProficiency && active.has(ps.person_id))
    .map((ps) => ps.person_id)
  const unmet = tables.resource_requests.filter(
    (r) =>
      r.skill_id === skill.id &&
      (r.min_proficiency ?? 0) >= minProficiency &&
      (r.status === 'open' || r.status === 'partially_filled'),
  )
  return {
    qualifiedPersonIds,
    unmetRequestIds: unmet.map((r) => r.id),
    unmetHoursPerWeek: unmet.reduce((sum, r) => sum + r.hours_per_week, 0),
  }
}

/** The bill rate of a role on a rate card on a date, as the product prices time: the card, then the default card, then the role. */
export function rateCardRates(tables: DemoTables, organisationId: string) {
  const lines = new Map<string, DemoTables['rate_card_lines']>()
  for (const l of tables.rate_card_lines) {
    if (l.organisation_id !== organisationId) continue
    const key = `${l.rate_card_id}/${l.role_id}`
    const list = lines.get(key) ?? []
    list.push(l)
    lines.set(key, list)
  }
  const defaultCard = tables.rate_cards.find((c) => c.organisation_id === organisationId && c.is_default)
  const roleRates = new Map(tables.roles.map((r) => [r.id, r.bill_rate_minor]))
  const lookup = (cardId: string | null | undefined, roleId: string, on: IsoDate) =>
    cardId
      ? lines
          .get(`${cardId}/${roleId}`)
          ?.find((l) => l.effective_from <= on && (l.effective_to === null || on <= l.effective_to))
          ?.bill_rate_minor
      : undefined
  return (cardId: string | null, roleId: string, on: IsoDate): number =>
    lookup(cardId, roleId, on) ?? lookup(defaultCard?.id, roleId, on) ?? roleRates.get(roleId) ?? 0
}

/**
 * What an hour of a person costs a project against its budget (as @psa/project-burn's `budgetBurn` prices
 * it): the role's rate on the project's card on the day for every hour on fixed fee and retainer, for
 * billable hours on time and materials (non-billable ones cost the budget nothing).
 */
export function entryValuer(tables: DemoTables, organisationId: string) {
  const rate = rateCardRates(tables, organisationId)
  const roleOf = new Map(tables.people.map((p) => [p.id, p.role_id]))
  return (project: ProjectRow, e: TimeEntryRow): number => {
    const role = roleOf.get(e.person_id)
    if (role === undefined || (project.billing_model === 'time_and_materials' && !e.billable)) return 0
    return Math.round(e.hours * rate(project.rate_card_id, role, e.work_date))
  }
}

/** Booked time of each project at its rate card (`entryValuer`); only work before `before` if given. */
function rateCardActuals(tables: DemoTables, organisationId: string, before?: IsoDate): Map<string, number> {
  const value = entryValuer(tables, organisationId)
  const byId = new Map(
    tables.projects.filter((p) => p.organisation_id === organisationId).map((p) => [p.id, p]),
  )
  const actual = new Map<string, number>()
  for (const e of tables.time_entries) {
    const project = byId.get(e.project_id)
    if (!project || (before !== undefined && e.work_date >= before)) continue
    actual.set(project.id, (actual.get(project.id) ?? 0) + value(project, e))
  }
  return actual
}

export interface EarnedValue {
  projectId: string
  code: string
  status: string
  billing: string
  budgetMinor: number
  /** Estimate-weighted task completion, percent. */
  progressPct: number
  /** Estimate-weighted share of each task's working days gone by `asOf`, percent. */
  plannedPct: number
  /** Booked time at the project's rate card: billable hours on T&M, every hour on fixed fee and retainer. */
  actualMinor: number
  earnedValueMinor: number
  plannedValueMinor: number
  /** EV / AC and EV / PV; null before there is anything to divide by. */
  cpi: number | null
  spi: number | null
  /** Estimate at completion, BAC / CPI. */
  eacMinor: number | null
}

function weekdaysThrough(from: IsoDate, to: IsoDate): number {
  if (to < from) return 0
  return countWeekdays(from, to)
}

/** Estimate-weighted progress and planned share of a project's tasks as of `asOf` (fractions). */
export function taskProgress(tasks: readonly TaskRow[], asOf: IsoDate) {
  const lastDay = addDays(asOf, -1)
  let estimate = 0
  let done = 0
  let planned = 0
  for (const t of tasks) {
    const total = weekdaysThrough(t.starts_on, t.ends_on)
    const gone = weekdaysThrough(t.starts_on, earliest([t.ends_on, lastDay]))
    estimate += t.estimate_hours
    done += (t.estimate_hours * t.percent_complete) / 100
    planned += total > 0 ? (t.estimate_hours * gone) / total : 0
  }
  return { progress: estimate > 0 ? done / estimate : 0, planned: estimate > 0 ? planned / estimate : 0 }
}

/** Earned value of one project from its tasks' progress and its actuals at the rate card before `asOf`. */
export function projectEarnedValue(
  p: ProjectRow,
  tasks: readonly TaskRow[],
  actualMinor: number,
  asOf: IsoDate,
): EarnedValue {
  const { progress, planned } = taskProgress(tasks, asOf)
  const ac = actualMinor
  const ev = Math.round(progress * p.budget_minor)
  const pv = Math.round(planned * p.budget_minor)
  const cpi = ac > 0 && ev > 0 ? ev / ac : null
  return {
    projectId: p.id,
    code: p.code,
    status: p.status,
    billing: p.billing_model,
    budgetMinor: p.budget_minor,
    progressPct: Math.round(progress * 10_000) / 100,
    plannedPct: Math.round(planned * 10_000) / 100,
    actualMinor: ac,
    earnedValueMinor: ev,
    plannedValueMinor: pv,
    cpi,
    spi: pv > 0 ? ev / pv : null,
    eacMinor: cpi ? Math.round(p.budget_minor / cpi) : null,
  }
}

/**
 * The day a project's performance is judged on: today, or for a paused or cancelled one the day it stopped
 * (the Monday after its last booking), since its figures freeze then.
 */
export function measuredOn(
  project: ProjectRow,
  allocations: readonly AllocationRow[],
  today: IsoDate,
): IsoDate {
  if (project.status !== 'on_hold' && project.status !== 'cancelled') return today
  let last: IsoDate | undefined
  for (const a of allocations)
    if (a.project_id === project.id && (!last || a.ends_on > last)) last = a.ends_on
  return last ? addDays(last, 3) : today
}

/**
 * Earned value of every project as of `asOf`: budget (BAC), progress (EV = progress × BAC), plan (PV =
 * planned share × BAC) and actuals at the project's rate card (the budget is a price, so actuals are too).
 */
export function earnedValue(tables: DemoTables, organisationId: string, asOf: IsoDate): EarnedValue[] {
  const projects = tables.projects.filter((p) => p.organisation_id === organisationId)
  const actual = rateCardActuals(tables, organisationId, asOf)
  const tasks = new Map<string, TaskRow[]>(projects.map((p) => [p.id, []]))
  for (const t of tables.tasks) tasks.get(t.project_id)?.push(t)
  return projects.map((p) => projectEarnedValue(p, tasks.get(p.id) ?? [], actual.get(p.id) ?? 0, asOf))
}

export interface Utilisation {
  personId: string
  /** Working hours in the window net of holidays and time off. */
  capacityHours: number
  billableHours: number
  targetPct: number
}

/**
 * Billable utilisation of the active people in [from, to]: billable hours logged over their capacity net of
 * public holidays and time off (what the dashboard shows), and the capacity-weighted target.
 */
export function billableUtilisation(
  tables: DemoTables,
  organisationId: string,
  from: IsoDate,
  to: IsoDate,
): { people: Utilisation[]; utilisationPct: number; targetPct: number } {
  const holidays = new Set(
    tables.holidays
      .filter((h) => h.organisation_id === organisationId)
      .map((h) => `${h.location_id}/${h.holiday_date}`),
  )
  const off = new Map<string, number>()
  for (const t of tables.time_off) {
    if (t.organisation_id !== organisationId) continue
    for (let d = t.starts_on < from ? from : t.starts_on; d <= t.ends_on && d <= to; d = addDays(d, 1))
      off.set(`${t.person_id}/${d}`, (off.get(`${t.person_id}/${d}`) ?? 0) + t.hours_per_day)
  }
  const billable = new Map<string, number>()
  for (const e of tables.time_entries) {
    if (e.organisation_id !== organisationId || !e.billable || e.work_date < from || e.work_date > to)
      continue
    billable.set(e.person_id, (billable.get(e.person_id) ?? 0) + e.hours)
  }
  const people: Utilisation[] = []
  for (const p of tables.people) {
    if (p.organisation_id !== organisationId || !p.active) continue
    const days = p.weekly_capacity_hours < 40 ? 4 : 5
    const perDay = p.weekly_capacity_hours / days
    let capacity = 0
    for (let d = from; d <= to; d = addDays(d, 1)) {
      const weekday = isoWeekday(d)
      if (weekday > days || d < p.employment_start || holidays.has(`${p.location_id}/${d}`)) continue
      capacity += Math.max(0, perDay - (off.get(`${p.id}/${d}`) ?? 0))
    }
    people.push({
      personId: p.id,
      capacityHours: capacity,
      billableHours: billable.get(p.id) ?? 0,
      targetPct: p.utilisation_target_pct,
    })
  }
  const capacity = people.reduce((s, p) => s + p.capacityHours, 0)
  const hours = people.reduce((s, p) => s + p.billableHours, 0)
  const weighted = people.reduce((s, p) => s + p.capacityHours * p.targetPct, 0)
  return {
    people,
    utilisationPct: capacity > 0 ? (100 * hours) / capacity : 0,
    targetPct: capacity > 0 ? weighted / capacity : 0,
  }
}
