import { buildCommercial, type CommercialIndex } from './build-commercial.js'
import { buildPeople, type PeopleIndex } from './build-people.js'
import { applyCostPerformance, applySchedulePerformance } from './build-performance.js'
import { keepWithinPlan } from './build-plan-bounds.js'
import { buildProjects, type ProjectIndex } from './build-projects.js'
import { buildQuotes, type QuoteIndex } from './build-quotes.js'
import { buildBaselines, buildTimeEntries, setBudgets, setPlantedBudgets } from './build-time.js'
import type { OrganisationCatalogue } from './catalogue.js'
import { DEMO_USERS, type MembershipRole } from './constants.js'
import type { OrgContext } from './context.js'

export interface BuiltOrganisation {
  ctx: OrgContext
  catalogue: OrganisationCatalogue
  people: PeopleIndex
  commercial: CommercialIndex
  projects: ProjectIndex
  quotes: QuoteIndex
}

/** The organisation's demo users by membership role (the first one holding it). */
export function userWithRole(ctx: OrgContext, ...roles: MembershipRole[]): string {
  for (const role of roles) {
    const user = DEMO_USERS.find((u) => u.organisationId === ctx.orgId && u.role === role)
    if (user) return user.id
  }
  throw new Error(`no demo user of ${ctx.organisation.slug} has role ${roles.join('/')}`)
}

export function buildOrganisation(ctx: OrgContext, catalogue: OrganisationCatalogue): BuiltOrganisation {
  const { tables } = ctx
  tables.organisations.push({
    id: ctx.orgId,
    name: ctx.organisation.name,
    slug: ctx.organisation.slug,
    currency: ctx.organisation.currency,
    timezone: ctx.organisation.timezone,
    locale: ctx.organisation.locale,
  })
  for (const user of DEMO_USERS) {
    if (user.organisationId !== ctx.orgId) continue
    tables.memberships.push({
      id: ctx.id(`membership/${user.email}`),
      organisation_id: ctx.orgId,
      user_id: user.id,
      role: user.role,
    })
  }
  const people = buildPeople(ctx, catalogue)
  const commercial = buildCommercial(ctx, catalogue, people)
  const projects = buildProjects(ctx, catalogue, people, commercial)
  applySchedulePerformance(ctx, projects)
  const quotes = buildQuotes(ctx, catalogue, people, commercial, projects)
  setBudgets(projects, quotes.acceptedPrices)
  const firstEntry = tables.time_entries.length
  buildTimeEntries(ctx, people, projects)
  const logged = tables.time_entries.slice(firstEntry)
  applyCostPerformance(ctx, projects, logged)
  keepWithinPlan(ctx, projects, logged, new Set(quotes.acceptedPrices.keys()))
  setPlantedBudgets(ctx, projects)
  const planner = userWithRole(ctx, 'manager', 'admin')
  buildBaselines(ctx, projects, (code) => {
    const managerName = projects.specs.get(code)?.manager
    return (managerName && people.people.get(managerName)?.user_id) || planner
  })
  return { ctx, catalogue, people, commercial, projects, quotes }
}
