import { addDays, type IsoDate, mondayOf, timestamp, toIsoDate } from '@psa/calendar'
import { buildNorthwindAgentHistory } from './agent-history/index.js'
import { lateMilestones, overAllocations, projectBurn, skillSupply } from './analysis.js'
import { BLUEBIRD_CATALOGUE } from './bluebird-catalogue.js'
import { buildOrganisation } from './build-organisation.js'
import { buildPractices, practiceCount } from './build-practices.js'
import {
  BLUEBIRD_ORGANISATION_ID,
  DEMO_ORGANISATIONS,
  DEMO_SEED,
  DEMO_USERS,
  NORTHWIND_ORGANISATION_ID,
} from './constants.js'
import { OrgContext } from './context.js'
import { NORTHWIND_CATALOGUE } from './northwind-catalogue.js'
import { type DemoTables, emptyTables } from './types.js'

/** The "today" of the data set when nobody passes one (tests and docs); the loader passes the real date. */
export const DEFAULT_DEMO_TODAY: IsoDate = '2026-11-25'

export interface DemoDataOptions {
  /** Today's date; the data is anchored on the Monday of its week (UTC). */
  today?: Date | IsoDate
  seed?: string
  /**
   * About how many people Northwind has: above the core firm's 52, practices of 44 are added (with
   * projects, bookings and time in proportion); at or below it, the core firm.
   */
  people?: number
}

/** The planted problems, by name, so docs, tests and demos can point at them. */
export interface PlantedProblems {
  overAllocations: Array<{
    person: string
    personId: string
    week: IsoDate
    allocatedHours: number
    capacityHours: number
  }>
  budgetBurn: {
    projectCode: string
    projectId: string
    /** Booked time at the project's rate card: its budget burn, as the product reports it. */
    burnMinor: number
    /** The same time at each person's cost rate. */
    costToDateMinor: number
    budgetMinor: number
    /** burnMinor / budgetMinor, percent. */
    burnPct: number
  }
  lateMilestone: { projectCode: string; milestoneId: string; name: string; dueOn: IsoDate }
  skillShortage: {
    skill: string
    minProficiency: number
    qualifiedPeople: string[]
    unmetRequests: Array<{ requestId: string; projectCode: string; hoursPerWeek: number; startsOn: IsoDate }>
  }
}

export interface DemoData {
  seed: string
  /** Monday of the week of `today`: dates in the data are relative to it. */
  anchor: IsoDate
  tables: DemoTables
  planted: PlantedProblems
}

/** The Monday (UTC) of the week containing `today`. */
export function demoAnchor(today: Date | IsoDate): IsoDate {
  return mondayOf(toIsoDate(today))
}

function organisation(id: string) {
  const found = DEMO_ORGANISATIONS.find((o) => o.id === id)
  if (!found) throw new Error(`unknown demo organisation ${id}`)
  return found
}

/** The whole demo data set: a pure function of the seed and the week of `today`. */
export function generateDemoData(options: DemoDataOptions = {}): DemoData {
  const seed = options.seed ?? DEMO_SEED
  const anchor = demoAnchor(options.today ?? DEFAULT_DEMO_TODAY)
  const tables = emptyTables()
  for (const user of DEMO_USERS) {
    tables.auth_users.push({
      id: user.id,
      email: user.email,
      full_name: user.fullName,
      created_at: timestamp(addDays(anchor, -400), 12),
    })
  }
  const northwind = buildOrganisation(
    new OrgContext(seed, anchor, organisation(NORTHWIND_ORGANISATION_ID), tables),
    NORTHWIND_CATALOGUE,
  )
  buildNorthwindAgentHistory(northwind)
  buildPractices(northwind, practiceCount(NORTHWIND_CATALOGUE, options.people))
  buildOrganisation(
    new OrgContext(seed, anchor, organisation(BLUEBIRD_ORGANISATION_ID), tables),
    BLUEBIRD_CATALOGUE,
  )
  return { seed, anchor, tables, planted: describePlanted(tables, anchor) }
}

function describePlanted(tables: DemoTables, anchor: IsoDate): PlantedProblems {
  const org = NORTHWIND_ORGANISATION_ID
  const name = new Map(tables.people.map((p) => [p.id, p.full_name]))
  const code = new Map(tables.projects.map((p) => [p.id, p.code]))
  const burning = projectBurn(tables, org).filter((b) => b.status === 'active' && b.burnPct > 85)
  const late = lateMilestones(tables, org, anchor)
  const react = skillSupply(tables, org, 'React', 4)
  const [burn] = burning
  const [milestone] = late
  if (burning.length !== 1 || !burn)
    throw new Error(
      `expected exactly one project past 85% burn, found ${burning.map((b) => `${b.code} ${b.burnPct}%`).join(', ') || 'none'}`,
    )
  if (late.length !== 1 || !milestone)
    throw new Error(`expected exactly one late milestone, found ${late.length}`)
  return {
    overAllocations: overAllocations(tables, org).map((o) => ({
      person: name.get(o.personId) ?? o.personId,
      personId: o.personId,
      week: o.week,
      allocatedHours: o.allocatedHours,
      capacityHours: o.capacityHours,
    })),
    budgetBurn: {
      projectCode: burn.code,
      projectId: burn.projectId,
      burnMinor: burn.burnMinor,
      costToDateMinor: burn.costToDateMinor,
      budgetMinor: burn.budgetMinor,
      burnPct: burn.burnPct,
    },
    lateMilestone: {
      projectCode: code.get(milestone.project_id) ?? '',
      milestoneId: milestone.id,
      name: milestone.name,
      dueOn: milestone.due_on,
    },
    skillShortage: {
      skill: 'React',
      minProficiency: 4,
      qualifiedPeople: react.qualifiedPersonIds.map((id) => name.get(id) ?? id),
      unmetRequests: tables.resource_requests
        .filter((r) => react.unmetRequestIds.includes(r.id))
        .map((r) => ({
          requestId: r.id,
          projectCode: code.get(r.project_id) ?? '',
          hoursPerWeek: r.hours_per_week,
          startsOn: r.starts_on,
        })),
    },
  }
}
