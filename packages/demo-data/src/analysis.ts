// Read-only measures over the demo rows: the same questions the product asks (who is over-allocated, which
// project is burning its budget, which milestones are late, where skills are short). Tests use them to prove
// the planted problems are really in the data, and nothing else is.

import { addDays, type IsoDate, mondayOf } from '@psa/calendar'
import type { DemoTables } from './types.js'

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
  costToDateMinor: number
  billableValueMinor: number
  budgetMinor: number
  /** Cost of the time logged (hours times the person's cost rate) as a share of the budget, in percent. */
  burnPct: number
}

export function projectBurn(tables: DemoTables, organisationId: string): ProjectBurn[] {
  const people = new Map(tables.people.map((p) => [p.id, p]))
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
      const spent = cost.get(p.id) ?? 0
      return {
        projectId: p.id,
        code: p.code,
        status: p.status,
        costToDateMinor: spent,
        billableValueMinor: value.get(p.id) ?? 0,
        budgetMinor: p.budget_minor,
        burnPct: p.budget_minor > 0 ? Math.round((spent / p.budget_minor) * 10_000) / 100 : 0,
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
