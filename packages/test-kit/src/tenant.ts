import { randomBytes, randomUUID } from 'node:crypto'
import type { Database, JwtClaims, MembershipRole } from '@psa/db'
import type postgres from 'postgres'
import type { Actor } from './actors.js'

/** The fixture's users: one per role in our organisation, a second member, two in the other one, one in none. */
export type TenantUserKey = MembershipRole | 'bystander' | 'otherAdmin' | 'otherMember' | 'nobody'

interface SignedUpUser {
  id: string
  email: string
  /** The claims of the user's access token, as Postgres sees them in `request.jwt.claims`. */
  claims: JwtClaims
  /** The user as a PostgREST actor, for asActor. */
  actor: Actor
}

/** A user with a membership: `organisationId` and `role` are those of their (first) one. */
export interface TenantUser extends SignedUpUser {
  organisationId: string
  role: MembershipRole
}

/** A signed-up user who belongs to no organisation. */
export interface OutsideUser extends SignedUpUser {
  organisationId: null
  role: null
}

/**
 * How much of the domain the fixture creates:
 * - `users`: the two organisations and the users, nothing else;
 * - `domain` (the default): a small, complete slice of our organisation (three people, two roles, a client
 *   with a project of two phases and three tasks, a dependency, a milestone, an open request, an allocation,
 *   booked time, a draft quote) plus the other organisation's client, project and role;
 * - `every-table`: the slice plus one row in every remaining public table (holidays, time off, a rate card,
 *   a baseline, an agent session with a log event, a proposal and a dead letter), for the RLS matrix.
 */
export type TenantData = 'users' | 'domain' | 'every-table'

/**
 * Two organisations of our own (ours and "other") under fresh ids and e-mail addresses, so a test file can
 * change data freely without colliding with the demo data or with other files running at the same time.
 * "Own rows" are the member's: the member's person (Ada) holds the React skill, is assigned the in-progress
 * task, has the allocation and logs the billable time entry, and submitted the agent session.
 */
export interface Tenant {
  tag: string
  orgId: string
  otherOrgId: string
  users: Record<Exclude<TenantUserKey, 'nobody'>, TenantUser> & { nobody: OutsideUser }
  /** Named rows of the domain slice (absent with `users`). */
  ids: {
    location: string
    developerRole: string
    designerRole: string
    reactSkill: string
    figmaSkill: string
    /** Ada Lovelace (the member's person, developer), Grace Hopper (developer), Dieter Rams (designer). */
    people: [string, string, string]
    client: string
    otherClient: string
    project: string
    otherProject: string
    phases: [string, string]
    /** Done and Dieter's, in progress and Ada's, not started and unassigned. */
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
  /** One row id per public table in our organisation (every table with `every-table`); memberships: the bystander's. */
  rows: Record<string, string>
  /** The member's person record (Ada). */
  memberPersonId: string
  claims(user: TenantUserKey): JwtClaims
  /** Another user: in our organisation with `role`, or with several memberships (in this order). */
  addUser(
    membership: MembershipRole | [organisationId: string, role: MembershipRole][],
    name?: string,
  ): Promise<TenantUser>
  /** A completed session and a pending proposal holding `changeset`, in `organisation` (default: ours). */
  createProposal(
    changeset: unknown,
    options?: { organisationId?: string; user?: TenantUserKey; title?: string },
  ): Promise<{ proposalId: string; sessionId: string }>
  /** Removes both organisations (everything cascades) and every user the fixture created. */
  drop(): Promise<void>
}

function claimsOf(id: string, email: string): JwtClaims {
  return { sub: id, role: 'authenticated', aud: 'authenticated', email }
}

function signedUp(user: { id: string; email: string }): SignedUpUser {
  return {
    id: user.id,
    email: user.email,
    claims: claimsOf(user.id, user.email),
    actor: { kind: 'user', userId: user.id, email: user.email },
  }
}

/** A TenantUser for a user that exists already with that membership, e.g. a demo user. */
export function testUser(
  user: { id: string; email: string },
  organisationId: string,
  role: MembershipRole = 'admin',
): TenantUser {
  return { ...signedUp(user), organisationId, role }
}

export interface CreateTenantOptions {
  data?: TenantData
  /** Our organisation's name starts with it (default "Tenant"). */
  label?: string
  /** Our organisation's currency and time zone (default USD, America/New_York). */
  currency?: string
  timezone?: string
}

/** Creates the fixture as the connecting role (the superuser: RLS does not apply). */
export async function createTenant(
  db: Database | postgres.Sql,
  options: CreateTenantOptions = {},
): Promise<Tenant> {
  const sql = 'sql' in db ? db.sql : db
  const data = options.data ?? 'domain'
  const tag = randomBytes(4).toString('hex')
  const orgId = randomUUID()
  const otherOrgId = randomUUID()
  const created: string[] = []
  const id = () => randomUUID()

  const insertUser = async (tx: Sql, name: string): Promise<{ id: string; email: string }> => {
    const user = { id: id(), email: `${name}.${tag}@tenant.test` }
    await tx`insert into auth.users (id, aud, role, email, email_confirmed_at, created_at, updated_at,
      raw_app_meta_data, raw_user_meta_data)
      values (${user.id}, 'authenticated', 'authenticated', ${user.email}, now(), now(), now(),
        '{"provider":"email","providers":["email"]}', '{}')`
    created.push(user.id)
    return user
  }
  const membershipIds: Partial<Record<TenantUserKey, string>> = {}
  const seat = async (
    tx: Sql,
    key: Exclude<TenantUserKey, 'nobody'>,
    organisationId: string,
    role: MembershipRole,
  ): Promise<TenantUser> => {
    const user = await insertUser(
      tx,
      key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`),
    )
    const membershipId = id()
    membershipIds[key] = membershipId
    await tx`insert into public.memberships (id, organisation_id, user_id, role)
      values (${membershipId}, ${organisationId}, ${user.id}, ${role})`
    return testUser(user, organisationId, role)
  }

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
  const extra = extraIds()

  let users = {} as Tenant['users']
  await sql.begin(async (tx) => {
    await tx`insert into public.organisations (id, name, slug, currency, timezone) values
      (${orgId}, ${`${options.label ?? 'Tenant'} ${tag}`}, ${`tenant-${tag}`}, ${options.currency ?? 'USD'},
        ${options.timezone ?? 'America/New_York'}),
      (${otherOrgId}, ${`Other ${tag}`}, ${`other-${tag}`}, 'EUR', 'Europe/Berlin')`
    users = {
      owner: await seat(tx, 'owner', orgId, 'owner'),
      admin: await seat(tx, 'admin', orgId, 'admin'),
      manager: await seat(tx, 'manager', orgId, 'manager'),
      member: await seat(tx, 'member', orgId, 'member'),
      viewer: await seat(tx, 'viewer', orgId, 'viewer'),
      bystander: await seat(tx, 'bystander', orgId, 'member'),
      otherAdmin: await seat(tx, 'otherAdmin', otherOrgId, 'admin'),
      otherMember: await seat(tx, 'otherMember', otherOrgId, 'member'),
      nobody: { ...signedUp(await insertUser(tx, 'nobody')), organisationId: null, role: null },
    }
    if (data === 'users') return
    await insertDomain(tx, { orgId, otherOrgId, tag, ids, extra, member: users.member })
    if (data === 'every-table') {
      await insertEveryOtherTable(tx, { orgId, ids, extra, member: users.member, manager: users.manager })
    }
  })

  const rows: Record<string, string> =
    data === 'users'
      ? { organisations: orgId, memberships: membershipIds.bystander as string }
      : {
          organisations: orgId,
          memberships: membershipIds.bystander as string,
          locations: ids.location,
          roles: ids.developerRole,
          skills: ids.reactSkill,
          people: ids.people[0],
          person_skills: extra.personSkill,
          clients: ids.client,
          projects: ids.project,
          phases: ids.phases[0],
          tasks: ids.tasks[1],
          task_dependencies: ids.dependency,
          milestones: ids.milestone,
          resource_requests: ids.resourceRequest,
          allocations: ids.allocation,
          time_entries: extra.timeEntry,
          quotes: ids.quote,
          quote_versions: ids.quoteVersion,
          quote_lines: ids.quoteLines[0],
          ...(data === 'every-table'
            ? {
                holidays: extra.holiday,
                time_off: extra.timeOff,
                rate_cards: extra.rateCard,
                rate_card_lines: extra.rateCardLine,
                baselines: extra.baseline,
                agent_sessions: extra.session,
                agent_logs: extra.log,
                proposals: extra.proposal,
                agent_dead_letters: extra.deadLetter,
              }
            : {}),
        }

  let extraUsers = 0
  const addUser: Tenant['addUser'] = async (membership, name) => {
    const memberships = Array.isArray(membership) ? membership : [[orgId, membership] as const]
    const user = await insertUser(sql, name ?? `user-${++extraUsers}`)
    // One statement each (never one transaction), so the memberships' created_at keep their order.
    for (const [organisationId, role] of memberships) {
      await sql`insert into public.memberships (organisation_id, user_id, role)
        values (${organisationId}, ${user.id}, ${role})`
    }
    const [organisationId, role] = memberships[0] ?? [orgId, 'member']
    return testUser(user, organisationId, role)
  }

  const createProposal: Tenant['createProposal'] = async (changeset, proposalOptions = {}) => {
    const organisationId = proposalOptions.organisationId ?? orgId
    const user = users[proposalOptions.user ?? (organisationId === orgId ? 'admin' : 'otherAdmin')]
    const sessionId = id()
    const proposalId = id()
    await sql.begin(async (tx) => {
      await tx`insert into public.agent_sessions (id, organisation_id, user_id, agent_type, request, status,
          started_at, completed_at, attempts)
        values (${sessionId}, ${organisationId}, ${user.id}, 'project_management', 'Plan the rebuild', 'completed',
          now(), now(), 1)`
      await tx`insert into public.proposals (id, organisation_id, session_id, agent_type, title, summary, changeset)
        values (${proposalId}, ${organisationId}, ${sessionId}, 'project_management',
          ${proposalOptions.title ?? 'Proposed plan changes'}, 'Changes proposed by a test', ${sql.json(changeset as never)})`
    })
    return { proposalId, sessionId }
  }

  return {
    tag,
    orgId,
    otherOrgId,
    users,
    ids,
    rows,
    memberPersonId: ids.people[0],
    claims: (key) => users[key].claims,
    addUser,
    createProposal,
    drop: async () => {
      await sql`delete from public.organisations where id in (${orgId}, ${otherOrgId})`
      await sql`delete from auth.users where id in ${sql(created)}`
    },
  }
}

/** Rows of the slice that `ids` does not name, and of the tables only `every-table` fills. */
function extraIds() {
  const id = () => randomUUID()
  return {
    personSkill: id(),
    timeEntry: id(),
    holiday: id(),
    timeOff: id(),
    rateCard: id(),
    rateCardLine: id(),
    baseline: id(),
    session: id(),
    log: id(),
    proposal: id(),
    deadLetter: id(),
  }
}

type Sql = postgres.Sql | postgres.TransactionSql

interface SliceIds {
  orgId: string
  ids: Tenant['ids']
  extra: ReturnType<typeof extraIds>
  member: TenantUser
}

async function insertDomain(
  tx: Sql,
  { orgId, otherOrgId, tag, ids, extra, member }: SliceIds & { otherOrgId: string; tag: string },
): Promise<void> {
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
    (${ids.people[0]}, ${orgId}, ${member.id}, 'Ada Lovelace', ${member.email}, ${ids.developerRole}, 4,
      ${ids.location}, 7000, 16000, 40, 80, '2020-01-06'),
    (${ids.people[1]}, ${orgId}, null, 'Grace Hopper', null, ${ids.developerRole}, 5, ${ids.location},
      8000, 18000, 40, 75, '2018-03-01'),
    (${ids.people[2]}, ${orgId}, null, 'Dieter Rams', null, ${ids.designerRole}, 3, ${ids.location},
      5000, 12000, 32, 80, '2021-09-01')`
  await tx`insert into public.person_skills (id, organisation_id, person_id, skill_id, proficiency) values
    (${extra.personSkill}, ${orgId}, ${ids.people[0]}, ${ids.reactSkill}, 5),
    (${randomUUID()}, ${orgId}, ${ids.people[1]}, ${ids.reactSkill}, 3),
    (${randomUUID()}, ${orgId}, ${ids.people[2]}, ${ids.figmaSkill}, 4)`
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
  await tx`insert into public.time_entries (id, organisation_id, person_id, project_id, task_id, work_date, hours,
      billable) values
    (${randomUUID()}, ${orgId}, ${ids.people[2]}, ${ids.project}, ${ids.tasks[0]}, '2027-01-05', 8, true),
    (${extra.timeEntry}, ${orgId}, ${ids.people[0]}, ${ids.project}, ${ids.tasks[1]}, '2027-01-26', 6.5, true),
    (${randomUUID()}, ${orgId}, ${ids.people[0]}, ${ids.project}, null, '2027-01-27', 2, false)`
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
}

async function insertEveryOtherTable(
  tx: Sql,
  { orgId, ids, extra, member, manager }: SliceIds & { manager: TenantUser },
): Promise<void> {
  await tx`insert into public.holidays (id, organisation_id, location_id, holiday_date, name)
    values (${extra.holiday}, ${orgId}, ${ids.location}, '2027-01-01', 'New Year''s Day')`
  await tx`insert into public.time_off (id, organisation_id, person_id, starts_on, ends_on, kind, hours_per_day)
    values (${extra.timeOff}, ${orgId}, ${ids.people[0]}, '2027-02-01', '2027-02-05', 'vacation', 8)`
  await tx`insert into public.rate_cards (id, organisation_id, name, client_id, currency, is_default)
    values (${extra.rateCard}, ${orgId}, 'Standard', null, 'USD', true)`
  await tx`insert into public.rate_card_lines (id, organisation_id, rate_card_id, role_id, bill_rate_minor,
      effective_from)
    values (${extra.rateCardLine}, ${orgId}, ${extra.rateCard}, ${ids.developerRole}, 15000, '2026-01-01')`
  await tx`insert into public.baselines (id, organisation_id, project_id, name, snapshot, created_by)
    values (${extra.baseline}, ${orgId}, ${ids.project}, 'Initial plan', '{"tasks":[]}', ${manager.id})`
  await tx`insert into public.agent_sessions (id, organisation_id, user_id, agent_type, request, status)
    values (${extra.session}, ${orgId}, ${member.id}, 'project_management', 'Plan the website rebuild', 'queued')`
  await tx`insert into public.agent_logs (id, organisation_id, session_id, seq, event_type, agent_name, message)
    values (${extra.log}, ${orgId}, ${extra.session}, 1, 'status', 'project_management', 'queued')`
  await tx`insert into public.proposals (id, organisation_id, session_id, agent_type, title, changeset)
    values (${extra.proposal}, ${orgId}, ${extra.session}, 'project_management', 'Add discovery phase',
      '{"operations":[]}')`
  await tx`insert into public.agent_dead_letters (id, organisation_id, session_id, agent_type, payload, reason,
      deliveries)
    values (${extra.deadLetter}, ${orgId}, ${extra.session}, 'project_management', '{}', 'max deliveries', 5)`
}
