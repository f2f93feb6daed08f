import { randomBytes, randomUUID } from 'node:crypto'
import type { Database, JwtClaims, MembershipRole } from '@psa/db'
import type postgres from 'postgres'
import type { Actor } from './actors.js'
import { extraIds, insertDomain, insertEveryOtherTable, type Sql } from './tenant-rows.js'

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
  /** Named rows of the domain slice (ids of nothing with `users`). */
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
