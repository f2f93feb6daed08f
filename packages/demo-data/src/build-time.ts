import {
  addDays,
  eachDay,
  earliest,
  type IsoDate,
  isoWeekday,
  isWeekend,
  previousWorkingDay,
  timestamp,
} from '@psa/calendar'
import type { Json } from '@psa/db'
import { earnedValue } from './analysis.js'
import type { PeopleIndex } from './build-people.js'
import type { ProjectIndex } from './build-projects.js'
import type { OrgContext } from './context.js'
import type { PersonRow, TaskRow, TimeEntryRow } from './types.js'

/** Weekdays on which people with a small weekly allocation log it (rather than a sliver every day). */
const SMALL_ALLOCATION_DAYS: Record<number, number[]> = { 1: [3], 2: [2, 4] }

/**
 * Time entries for every hard allocation, on working days before the anchor: weekdays only, never on the
 * person's public holidays or time off, Fridays off for people on 32 hours, and never after they left.
 */
export function buildTimeEntries(ctx: OrgContext, people: PeopleIndex, projects: ProjectIndex): void {
  const byId = new Map([...people.people.values()].map((p) => [p.id, p]))
  const lastDay = previousWorkingDay(addDays(ctx.anchor, -1))
  for (const s of projects.slots) {
    const allocation = s.allocation
    if (allocation?.kind !== 'hard' || allocation.starts_on > lastDay) continue
    const person = byId.get(allocation.person_id) as PersonRow
    const holidays = people.holidays.get(person.location_id) ?? new Set<IsoDate>()
    const daysOff = people.daysOff.get(person.id) ?? new Set<IsoDate>()
    const partTime = person.weekly_capacity_hours < 40
    const workdays = partTime ? 4 : 5
    const tasks = (projects.tasks.get(s.spec.code) ?? []) as TaskRow[]
    const mine = tasks.filter((t) => t.assignee_person_id === person.id)
    const sameRole = tasks.filter((t) => t.role_id === s.role.id)
    const random = ctx.random(`time/${s.spec.code}/${s.index}`)
    const hoursPerWeek = allocation.hours_per_week
    const loggingDays =
      hoursPerWeek <= 8 ? (SMALL_ALLOCATION_DAYS[hoursPerWeek <= 4 ? 1 : 2] as number[]) : null
    const perDay = loggingDays ? hoursPerWeek / loggingDays.length : hoursPerWeek / workdays
    let until = earliest([allocation.ends_on, lastDay])
    if (person.employment_end) until = earliest([until, person.employment_end])

    for (const day of eachDay(allocation.starts_on, until)) {
      if (isWeekend(day) || holidays.has(day) || daysOff.has(day)) continue
      const dow = isoWeekday(day)
      if (partTime && dow === 5) continue
      if (loggingDays && !loggingDays.includes(dow)) continue
      const task =
        mine.find((t) => t.starts_on <= day && day <= t.ends_on) ??
        sameRole.find((t) => t.starts_on <= day && day <= t.ends_on) ??
        null
      const hours = Math.max(
        0.5,
        Math.round((perDay + random.pick([-0.5, -0.25, 0, 0, 0, 0, 0.25, 0.5])) * 4) / 4,
      )
      const internal = random.chance(0.03)
      const entry: TimeEntryRow = {
        id: ctx.id(`time-entry/${s.spec.code}/${s.index}/${day}`),
        organisation_id: ctx.orgId,
        person_id: person.id,
        project_id: s.project.id,
        task_id: task?.id ?? null,
        work_date: day,
        hours,
        billable: !internal,
        notes: internal ? 'Internal review (non-billable)' : (task?.name ?? 'Project coordination'),
      }
      ctx.tables.time_entries.push(entry)
    }
  }
}

function roundTo(value: number, step: number): number {
  return Math.round(value / step) * step
}

/**
 * Budgets, from the plan: time and materials and retainers at the plan's value at the project's rate card
 * (its estimated hours priced), a fixed fee won from a quote at the quote's price, any other fixed fee at the
 * plan's value with a risk premium. The planted overrun has a fee its booked time at the project's rate card
 * (the budget burn the product reports) has burned to `burnTarget`, so it is set last, from the time logged.
 */
export function setBudgets(projects: ProjectIndex, quotedPrices: Map<string, number>): void {
  for (const [code, project] of projects.projects) {
    const spec = projects.specs.get(code)
    if (!spec) continue
    const quoted = quotedPrices.get(code)
    const value = projects.plannedValue.get(code) ?? 0
    if (quoted !== undefined) project.budget_minor = quoted
    else if (spec.billing === 'fixed_fee')
      project.budget_minor = roundTo(value * (1 + FIXED_FEE_RISK_PREMIUM), 100_000)
    else project.budget_minor = roundTo(value, 100_000)
  }
}

/** What a fixed fee adds to the plan's value for the risk the firm takes on (quotes carry contingency). */
export const FIXED_FEE_RISK_PREMIUM = 0.1

/**
 * The planted overrun's fee: its budget burn (booked time at the project's rate card, the actual cost of
 * earned value, as `earnedValue` and @psa/project-burn's `budgetBurn` price it) is `burnTarget` of it.
 */
export function setPlantedBudgets(ctx: OrgContext, projects: ProjectIndex): void {
  const actual = new Map(earnedValue(ctx.tables, ctx.orgId, ctx.anchor).map((e) => [e.code, e.actualMinor]))
  for (const [code, project] of projects.projects) {
    const target = projects.specs.get(code)?.burnTarget
    if (target !== undefined) project.budget_minor = roundTo((actual.get(code) ?? 0) / target, 100_000)
  }
}

/** A baseline taken at kick-off; where the plan has slipped since, the baseline shows the original dates. */
export function buildBaselines(
  ctx: OrgContext,
  projects: ProjectIndex,
  createdBy: (code: string) => string,
): void {
  for (const [code, spec] of projects.specs) {
    if (!spec.baseline) continue
    const project = projects.projects.get(code)
    const phases = projects.phases.get(code) ?? []
    if (!project) continue
    // The first phase ran `slipDays` long: in the baseline everything after its original end was earlier.
    const days = spec.baseline.slipDays
    const cutoff = addDays(phases[0]?.ends_on ?? project.starts_on, -days)
    const slip = (date: IsoDate) =>
      days === 0 || date <= cutoff ? date : previousWorkingDay(addDays(date, -days))
    const tasks = (projects.tasks.get(code) ?? []).map(
      (t): Json => ({
        task_id: t.id,
        name: t.name,
        phase_id: t.phase_id,
        starts_on: slip(t.starts_on),
        ends_on: slip(t.ends_on),
        estimate_hours: t.estimate_hours,
      }),
    )
    const milestones = (projects.milestones.get(code) ?? []).map(
      (m): Json => ({ milestone_id: m.id, name: m.name, due_on: slip(m.due_on) }),
    )
    ctx.tables.baselines.push({
      id: ctx.id(`baseline/${code}`),
      organisation_id: ctx.orgId,
      project_id: project.id,
      name: 'Baseline at kick-off',
      snapshot: {
        captured_on: project.starts_on,
        starts_on: project.starts_on,
        ends_on: slip(project.ends_on),
        budget_minor: project.budget_minor,
        phases: phases.map(
          (p): Json => ({
            phase_id: p.id,
            name: p.name,
            starts_on: slip(p.starts_on),
            ends_on: slip(p.ends_on),
          }),
        ),
        tasks,
        milestones,
      },
      created_by: createdBy(code),
      created_at: timestamp(project.starts_on, 15),
    })
  }
}
