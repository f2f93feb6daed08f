import { randomBytes, randomUUID } from 'node:crypto'
import type { Database, JwtClaims } from '@psa/db'

export type TenantRole = 'owner' | 'admin' | 'manager' | 'member' | 'viewer'
export type TenantUserKey = TenantRole | 'otherAdmin' | 'otherMember'

export interface TenantUser {
  id: string
  email: string
  role: TenantRole
  organisationId: string
}

/**
 * Two organisations of our own with a small, complete slice of the domain, under fresh ids and e-mail
 * addresses, so a test file can change data freely without colliding with the demo data or with other test
 * files running at the same time against the same database.
 */
export interface Tenant {
  tag: string
  orgId: string
  otherOrgId: string
  users: Record<TenantUserKey, TenantUser>
  ids: {
    location: string
    developerRole: string
    designerRole: string
    reactSkill: string
    figmaSkill: string
    people: [string, string, string]
    client: string
    otherClient: string
    project: string
    otherProject: string
    phases: [string, string]
    tasks: [string, string, string]
    dependency: string
    milestone: string
    resourceRequest: string
    allocation: string
    quote: string
    quoteVersion: string
    quoteLines: [string, string]
    otherRole: string
  }
  claims(user: TenantUserKey): JwtClaims
  /** A completed session and a pending proposal holding `changeset`, in `organisation` (default: ours). */
  createProposal(
    changeset: unknown,
    options?: { organisationId?: string; user?: TenantUserKey; title?: string },
  ): Promise<{ proposalId: string; sessionId: string }>
  /** Removes both organisations (everything cascades) and the users. */
  drop(): Promise<void>
}

export async function createTenant(db: Database): Promise<Tenant> {
  const tag = randomBytes(4).toString('hex')
  const orgId = randomUUID()
  const otherOrgId = randomUUID()
  const mkUser = (role: TenantRole, organisationId: string, name: string): TenantUser => ({
    id: randomUUID(),
    email: `${name}.${tag}@tenant.test`,
    role,
    organisationId,
  })
  const users: Record<TenantUserKey, TenantUser> = {
    owner: mkUser('owner', orgId, 'owner'),
    admin: mkUser('admin', orgId, 'admin'),
    manager: mkUser('manager', orgId, 'manager'),
    member: mkUser('member', orgId, 'member'),
    viewer: mkUser('viewer', orgId, 'viewer'),
    otherAdmin: mkUser('admin', otherOrgId, 'other-admin'),
    otherMember: mkUser('member', otherOrgId, 'other-member'),
  }
  const id = () => randomUUID()
  const ids: Tenant['ids'] = {
    location: id(),
    developerRole: id(),
    designerRole: id(),
    reactSkill: id(),
    figmaSkill: id(),
    people: [id(), id(), id()],
    client: id(),
    otherClient: id(),
    project: id(),
    otherProject: id(),
    phases: [id(), id()],
    tasks: [id(), id(), id()],
    dependency: id(),
    milestone: id(),
    resourceRequest: id(),
    allocation: id(),
    quote: id(),
    quoteVersion: id(),
    quoteLines: [id(), id()],
    otherRole: id(),
  }
  const sql = db.sql
  await sql.begin(async (tx) => {
    await tx`insert into public.organisations (id, name, slug, currency, timezone) values
      (${orgId}, ${`Tenant ${tag}`}, ${`tenant-${tag}`}, 'USD', 'America/New_York'),
      (${otherOrgId}, ${`Other ${tag}`}, ${`other-${tag}`}, 'EUR', 'Europe/Berlin')`
    for (const u of Object.values(users)) {
      await tx`insert into auth.users (id, aud, role, email, email_confirmed_at, created_at, updated_at,
        raw_app_meta_data, raw_user_meta_data)
        values (${u.id}, 'authenticated', 'authenticated', ${u.email}, now(), now(), now(),
          '{"provider":"email","providers":["email"]}', '{}')`
      await tx`insert into public.memberships (organisation_id, user_id, role)
        values (${u.organisationId}, ${u.id}, ${u.role})`
    }
    await tx`insert into public.locations (id, organisation_id, name, country_code, timezone)
      values (${ids.location}, ${orgId}, 'New York', 'US', 'America/New_York')`
    await tx`insert into public.roles (id, organisation_id, name, cost_rate_minor, bill_rate_minor) values
      (${ids.developerRole}, ${orgId}, 'Developer', 6000, 15000),
      (${ids.designerRole}, ${orgId}, 'Designer', 5000, 12000),
      (${ids.otherRole}, ${otherOrgId}, 'Developer', 5500, 14000)`
    await tx`insert into public.skills (id, organisation_id, name, category) values
      (${ids.reactSkill}, ${orgId}, 'React', 'Frontend'),
      (${ids.figmaSkill}, ${orgId}, 'Figma', 'Design')`
    await tx`insert into public.people (id, organisation_id, user_id, full_name, email, role_id, level, location_id,
        cost_rate_minor, bill_rate_minor, weekly_capacity_hours, utilisation_target_pct, employment_start) values
      (${ids.people[0]}, ${orgId}, ${users.member.id}, 'Ada Lovelace', ${users.member.email}, ${ids.developerRole}, 4,
        ${ids.location}, 7000, 16000, 40, 80, '2020-01-06'),
      (${ids.people[1]}, ${orgId}, null, 'Grace Hopper', null, ${ids.developerRole}, 5, ${ids.location},
        8000, 18000, 40, 75, '2018-03-01'),
      (${ids.people[2]}, ${orgId}, null, 'Dieter Rams', null, ${ids.designerRole}, 3, ${ids.location},
        5000, 12000, 32, 80, '2021-09-01')`
    await tx`insert into public.person_skills (organisation_id, person_id, skill_id, proficiency) values
      (${orgId}, ${ids.people[0]}, ${ids.reactSkill}, 5),
      (${orgId}, ${ids.people[1]}, ${ids.reactSkill}, 3),
      (${orgId}, ${ids.people[2]}, ${ids.figmaSkill}, 4)`
    await tx`insert into public.clients (id, organisation_id, name, industry) values
      (${ids.client}, ${orgId}, 'Acme Corp', 'Retail'),
      (${ids.otherClient}, ${otherOrgId}, 'Blue Client', 'Media')`
    await tx`insert into public.projects (id, organisation_id, client_id, name, code, status, billing_model,
        budget_minor, currency, starts_on, ends_on, health, manager_person_id) values
      (${ids.project}, ${orgId}, ${ids.client}, 'Acme website rebuild', ${`ACME-${tag}`}, 'active',
        'time_and_materials', 15000000, 'USD', '2027-01-04', '2027-03-26', 'green', ${ids.people[1]}),
      (${ids.otherProject}, ${otherOrgId}, ${ids.otherClient}, 'Blue brand refresh', ${`BLUE-${tag}`}, 'active',
        'fixed_fee', 5000000, 'EUR', '2027-02-01', '2027-04-30', 'amber', null)`
    await tx`insert into public.phases (id, organisation_id, project_id, name, sequence, starts_on, ends_on) values
      (${ids.phases[0]}, ${orgId}, ${ids.project}, 'Discovery', 1, '2027-01-04', '2027-01-22'),
      (${ids.phases[1]}, ${orgId}, ${ids.project}, 'Build', 2, '2027-01-25', '2027-03-26')`
    await tx`insert into public.tasks (id, organisation_id, project_id, phase_id, name, role_id, estimate_hours,
        starts_on, ends_on, status, percent_complete, assignee_person_id) values
      (${ids.tasks[0]}, ${orgId}, ${ids.project}, ${ids.phases[0]}, 'Stakeholder interviews', ${ids.designerRole},
        40, '2027-01-04', '2027-01-15', 'done', 100, ${ids.people[2]}),
      (${ids.tasks[1]}, ${orgId}, ${ids.project}, ${ids.phases[1]}, 'Build front end', ${ids.developerRole},
        200, '2027-01-25', '2027-03-12', 'in_progress', 25, ${ids.people[0]}),
      (${ids.tasks[2]}, ${orgId}, ${ids.project}, ${ids.phases[1]}, 'Launch', ${ids.developerRole},
        16, '2027-03-15', '2027-03-26', 'not_started', 0, null)`
    await tx`insert into public.task_dependencies (id, organisation_id, project_id, predecessor_task_id,
        successor_task_id, dependency_type, lag_days)
      values (${ids.dependency}, ${orgId}, ${ids.project}, ${ids.tasks[1]}, ${ids.tasks[2]}, 'finish_to_start', 1)`
    await tx`insert into public.milestones (id, organisation_id, project_id, name, due_on)
      values (${ids.milestone}, ${orgId}, ${ids.project}, 'Go live', '2027-03-26')`
    await tx`insert into public.resource_requests (id, organisation_id, project_id, role_id, skill_id,
        min_proficiency, hours_per_week, starts_on, ends_on, status)
      values (${ids.resourceRequest}, ${orgId}, ${ids.project}, ${ids.developerRole}, ${ids.reactSkill}, 4, 20,
        '2027-01-25', '2027-03-12', 'open')`
    await tx`insert into public.allocations (id, organisation_id, project_id, person_id, task_id,
        resource_request_id, kind, starts_on, ends_on, hours_per_week)
      values (${ids.allocation}, ${orgId}, ${ids.project}, ${ids.people[0]}, ${ids.tasks[1]}, ${ids.resourceRequest},
        'hard', '2027-01-25', '2027-03-12', 30)`
    await tx`insert into public.time_entries (organisation_id, person_id, project_id, task_id, work_date, hours,
        billable) values
      (${orgId}, ${ids.people[2]}, ${ids.project}, ${ids.tasks[0]}, '2027-01-05', 8, true),
      (${orgId}, ${ids.people[0]}, ${ids.project}, ${ids.tasks[1]}, '2027-01-26', 6.5, true),
      (${orgId}, ${ids.people[0]}, ${ids.project}, null, '2027-01-27', 2, false)`
    await tx`insert into public.quotes (id, organisation_id, client_id, title, status, current_version, valid_until)
      values (${ids.quote}, ${orgId}, ${ids.client}, 'Acme rebuild quote', 'draft', 1, '2027-02-28')`
    await tx`insert into public.quote_versions (id, organisation_id, quote_id, version_number, pricing_model,
        currency, contingency_pct, target_margin_pct, discount_pct, cost_minor, price_minor, margin_pct,
        p50_price_minor, p80_price_minor)
      values (${ids.quoteVersion}, ${orgId}, ${ids.quote}, 1, 'time_and_materials', 'USD', 10, 30, 5,
        1500000, 3600000, 58.33, 3500000, 3900000)`
    await tx`insert into public.quote_lines (id, organisation_id, quote_version_id, role_id, description,
        optimistic_hours, likely_hours, pessimistic_hours, cost_rate_minor, bill_rate_minor, sort_order) values
      (${ids.quoteLines[0]}, ${orgId}, ${ids.quoteVersion}, ${ids.developerRole}, 'Senior development', 180, 200,
        260, 6000, 15000, 1),
      (${ids.quoteLines[1]}, ${orgId}, ${ids.quoteVersion}, ${ids.designerRole}, 'Design', 60, 80, 110, 5000,
        12000, 2)`
  })

  const claims = (key: TenantUserKey): JwtClaims => ({
    sub: users[key].id,
    role: 'authenticated',
    aud: 'authenticated',
    email: users[key].email,
  })

  const createProposal: Tenant['createProposal'] = async (changeset, options = {}) => {
    const organisationId = options.organisationId ?? orgId
    const user = users[options.user ?? (organisationId === orgId ? 'admin' : 'otherAdmin')]
    const sessionId = randomUUID()
    const proposalId = randomUUID()
    await sql.begin(async (tx) => {
      await tx`insert into public.agent_sessions (id, organisation_id, user_id, agent_type, request, status,
          started_at, completed_at, attempts)
        values (${sessionId}, ${organisationId}, ${user.id}, 'project_management', 'Plan the rebuild', 'completed',
          now(), now(), 1)`
      await tx`insert into public.proposals (id, organisation_id, session_id, agent_type, title, summary, changeset)
        values (${proposalId}, ${organisationId}, ${sessionId}, 'project_management',
          ${options.title ?? 'Proposed plan changes'}, 'Changes proposed by a test', ${sql.json(changeset as never)})`
    })
    return { proposalId, sessionId }
  }

  const drop = async () => {
    await sql`delete from public.organisations where id in (${orgId}, ${otherOrgId})`
    await sql`delete from auth.users where id in ${sql(Object.values(users).map((u) => u.id))}`
  }

  return { tag, orgId, otherOrgId, users, ids, claims, createProposal, drop }
}
