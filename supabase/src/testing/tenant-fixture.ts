import { randomBytes, randomUUID } from 'node:crypto'
import type postgres from 'postgres'
import type { Actor } from './roles.js'

export const MEMBERSHIP_ROLES = ['owner', 'admin', 'manager', 'member', 'viewer'] as const
export type MembershipRole = (typeof MEMBERSHIP_ROLES)[number]

export interface FixtureUser {
  id: string
  email: string
  actor: Actor
}

/**
 * One organisation with a user in every membership role and one row in every table, each row tied to the
 * member where the schema has "own rows" rules: the member's person logs the time entry, books the time
 * off, holds the skill, is assigned the task, and the member submitted the agent session.
 */
export interface TenantFixture {
  organisationId: string
  slug: string
  users: Record<MembershipRole | 'bystander', FixtureUser>
  /** The member's person record. */
  memberPersonId: string
  /** One row id per public table (for memberships: the bystander's membership, a plain member). */
  rows: Record<string, string>
}

function user(email: string): FixtureUser {
  const id = randomUUID()
  return { id, email, actor: { kind: 'user', userId: id, email } }
}

/**
 * Creates a self-contained organisation for a test (as the superuser, bypassing RLS). Names carry a random
 * tag, so any number of fixtures coexist in one database and test files can run in parallel.
 */
export async function createTenantFixture(sql: postgres.Sql, label = 'Fixture'): Promise<TenantFixture> {
  const tag = randomBytes(4).toString('hex')
  const users = {
    owner: user(`owner.${tag}@fixture.example`),
    admin: user(`admin.${tag}@fixture.example`),
    manager: user(`manager.${tag}@fixture.example`),
    member: user(`member.${tag}@fixture.example`),
    viewer: user(`viewer.${tag}@fixture.example`),
    bystander: user(`bystander.${tag}@fixture.example`),
  }
  const id = () => randomUUID()
  const org = id()
  const r = {
    organisations: org,
    memberships: id(),
    locations: id(),
    holidays: id(),
    roles: id(),
    skills: id(),
    people: id(),
    person_skills: id(),
    time_off: id(),
    clients: id(),
    rate_cards: id(),
    rate_card_lines: id(),
    projects: id(),
    phases: id(),
    tasks: id(),
    task_dependencies: id(),
    milestones: id(),
    baselines: id(),
    resource_requests: id(),
    allocations: id(),
    time_entries: id(),
    quotes: id(),
    quote_versions: id(),
    quote_lines: id(),
    agent_sessions: id(),
    agent_logs: id(),
    proposals: id(),
    agent_dead_letters: id(),
  }
  const secondTask = id()

  await sql.begin(async (tx) => {
    for (const u of Object.values(users)) {
      await tx`
        insert into auth.users (id, email, aud, role, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
        values (${u.id}, ${u.email}, 'authenticated', 'authenticated', '{"provider":"email"}', '{}', now(), now())
      `
    }
    await tx`
      insert into public.organisations (id, name, slug, currency, timezone)
      values (${org}, ${`${label} ${tag}`}, ${`fixture-${tag}`}, 'USD', 'Europe/London')
    `
    for (const role of MEMBERSHIP_ROLES) {
      await tx`insert into public.memberships (organisation_id, user_id, role) values (${org}, ${users[role].id}, ${role})`
    }
    await tx`
      insert into public.memberships (id, organisation_id, user_id, role)
      values (${r.memberships}, ${org}, ${users.bystander.id}, 'member')
    `
    await tx`
      insert into public.locations (id, organisation_id, name, country_code, timezone)
      values (${r.locations}, ${org}, 'London', 'GB', 'Europe/London')
    `
    await tx`
      insert into public.holidays (id, organisation_id, location_id, holiday_date, name)
      values (${r.holidays}, ${org}, ${r.locations}, '2027-01-01', 'New Year''s Day')
    `
    await tx`
      insert into public.roles (id, organisation_id, name, cost_rate_minor, bill_rate_minor, utilisation_target_pct)
      values (${r.roles}, ${org}, 'Developer', 6000, 15000, 80)
    `
    await tx`
      insert into public.skills (id, organisation_id, name, category)
      values (${r.skills}, ${org}, 'TypeScript', 'Engineering')
    `
    await tx`
      insert into public.people (id, organisation_id, user_id, full_name, email, role_id, level, location_id,
        cost_rate_minor, bill_rate_minor, weekly_capacity_hours, utilisation_target_pct, employment_start)
      values (${r.people}, ${org}, ${users.member.id}, 'Morgan Member', ${users.member.email}, ${r.roles}, 3,
        ${r.locations}, 6000, 15000, 40, 80, '2024-01-08')
    `
    await tx`
      insert into public.person_skills (id, organisation_id, person_id, skill_id, proficiency)
      values (${r.person_skills}, ${org}, ${r.people}, ${r.skills}, 4)
    `
    await tx`
      insert into public.time_off (id, organisation_id, person_id, starts_on, ends_on, kind, hours_per_day)
      values (${r.time_off}, ${org}, ${r.people}, '2027-02-01', '2027-02-05', 'vacation', 8)
    `
    await tx`
      insert into public.clients (id, organisation_id, name, industry)
      values (${r.clients}, ${org}, 'Acme', 'Retail')
    `
    await tx`
      insert into public.rate_cards (id, organisation_id, name, client_id, currency, is_default)
      values (${r.rate_cards}, ${org}, 'Standard', null, 'USD', true)
    `
    await tx`update public.clients set default_rate_card_id = ${r.rate_cards} where id = ${r.clients}`
    await tx`
      insert into public.rate_card_lines (id, organisation_id, rate_card_id, role_id, bill_rate_minor, effective_from)
      values (${r.rate_card_lines}, ${org}, ${r.rate_cards}, ${r.roles}, 15000, '2026-01-01')
    `
    await tx`
      insert into public.projects (id, organisation_id, client_id, name, code, status, billing_model, budget_minor,
        currency, starts_on, ends_on, manager_person_id, rate_card_id)
      values (${r.projects}, ${org}, ${r.clients}, 'Website rebuild', ${`WEB-${tag}`}, 'active', 'fixed_fee',
        15000000, 'USD', '2027-01-04', '2027-03-26', ${r.people}, ${r.rate_cards})
    `
    await tx`
      insert into public.phases (id, organisation_id, project_id, name, sequence, starts_on, ends_on)
      values (${r.phases}, ${org}, ${r.projects}, 'Discovery', 1, '2027-01-04', '2027-01-22')
    `
    await tx`
      insert into public.tasks (id, organisation_id, project_id, phase_id, name, role_id, estimate_hours,
        starts_on, ends_on, assignee_person_id)
      values (${r.tasks}, ${org}, ${r.projects}, ${r.phases}, 'Interviews', ${r.roles}, 24, '2027-01-04',
        '2027-01-08', ${r.people}),
        (${secondTask}, ${org}, ${r.projects}, ${r.phases}, 'Findings', ${r.roles}, 16, '2027-01-11', '2027-01-13', null)
    `
    await tx`
      insert into public.task_dependencies (id, organisation_id, project_id, predecessor_task_id, successor_task_id)
      values (${r.task_dependencies}, ${org}, ${r.projects}, ${r.tasks}, ${secondTask})
    `
    await tx`
      insert into public.milestones (id, organisation_id, project_id, name, due_on)
      values (${r.milestones}, ${org}, ${r.projects}, 'Discovery signed off', '2027-01-22')
    `
    await tx`
      insert into public.baselines (id, organisation_id, project_id, name, snapshot, created_by)
      values (${r.baselines}, ${org}, ${r.projects}, 'Initial plan', '{"tasks":[]}', ${users.manager.id})
    `
    await tx`
      insert into public.resource_requests (id, organisation_id, project_id, role_id, skill_id, min_proficiency,
        hours_per_week, starts_on, ends_on)
      values (${r.resource_requests}, ${org}, ${r.projects}, ${r.roles}, ${r.skills}, 3, 20, '2027-01-04', '2027-01-22')
    `
    await tx`
      insert into public.allocations (id, organisation_id, project_id, person_id, task_id, resource_request_id, kind,
        starts_on, ends_on, hours_per_week)
      values (${r.allocations}, ${org}, ${r.projects}, ${r.people}, ${r.tasks}, ${r.resource_requests}, 'hard',
        '2027-01-04', '2027-01-22', 20)
    `
    await tx`
      insert into public.time_entries (id, organisation_id, person_id, project_id, task_id, work_date, hours, notes)
      values (${r.time_entries}, ${org}, ${r.people}, ${r.projects}, ${r.tasks}, '2027-01-04', 7.5, 'Kick-off')
    `
    await tx`
      insert into public.quotes (id, organisation_id, client_id, project_id, title, status, valid_until)
      values (${r.quotes}, ${org}, ${r.clients}, ${r.projects}, 'Website rebuild', 'draft', '2027-02-01')
    `
    await tx`
      insert into public.quote_versions (id, organisation_id, quote_id, version_number, pricing_model, rate_card_id,
        currency, contingency_pct, target_margin_pct, discount_pct, cost_minor, price_minor, margin_pct,
        p50_price_minor, p80_price_minor, created_by)
      values (${r.quote_versions}, ${org}, ${r.quotes}, 1, 'fixed_fee', ${r.rate_cards}, 'USD', 10, 30, 5,
        9000000, 13500000, 33.33, 13000000, 14500000, ${users.manager.id})
    `
    await tx`
      insert into public.quote_lines (id, organisation_id, quote_version_id, role_id, description, optimistic_hours,
        likely_hours, pessimistic_hours, cost_rate_minor, bill_rate_minor, sort_order)
      values (${r.quote_lines}, ${org}, ${r.quote_versions}, ${r.roles}, 'Build', 160, 200, 260, 6000, 15000, 1)
    `
    await tx`
      insert into public.agent_sessions (id, organisation_id, user_id, agent_type, request, status)
      values (${r.agent_sessions}, ${org}, ${users.member.id}, 'project_management', 'Plan the website rebuild', 'queued')
    `
    await tx`
      insert into public.agent_logs (id, organisation_id, session_id, seq, event_type, agent_name, message)
      values (${r.agent_logs}, ${org}, ${r.agent_sessions}, 1, 'status', 'project_management', 'queued')
    `
    await tx`
      insert into public.proposals (id, organisation_id, session_id, agent_type, title, changeset)
      values (${r.proposals}, ${org}, ${r.agent_sessions}, 'project_management', 'Add discovery phase',
        '{"operations":[]}')
    `
    await tx`
      insert into public.agent_dead_letters (id, organisation_id, session_id, agent_type, payload, reason, deliveries)
      values (${r.agent_dead_letters}, ${org}, ${r.agent_sessions}, 'project_management', '{}', 'max deliveries', 5)
    `
  })

  return { organisationId: org, slug: `fixture-${tag}`, users, memberPersonId: r.people, rows: r }
}

/** Removes the fixture's organisation (everything in it cascades) and its users. */
export async function dropTenantFixture(sql: postgres.Sql, fixture: TenantFixture): Promise<void> {
  await sql.begin(async (tx) => {
    await tx`delete from public.organisations where id = ${fixture.organisationId}`
    await tx`delete from auth.users where id in ${tx(Object.values(fixture.users).map((u) => u.id))}`
  })
}
