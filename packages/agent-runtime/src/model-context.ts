import { canDecideProposals } from '@psa/changesets'
import {
  compiledStatement,
  type Database,
  type DB,
  type JwtClaims,
  type MembershipRole,
  type Tx,
} from '@psa/db'
import type { CompiledQuery, Kysely } from 'kysely'

/** How many names of each kind the model is told about (enough for a firm; bounded for a large one). */
const MAX_NAMES = 500

/**
 * One formatter per time zone: building an Intl.DateTimeFormat (ICU's zone data) costs a millisecond or
 * two, a few percent of a worker's CPU per session when built twice for every session.
 */
const dayFormats = new Map<string, Intl.DateTimeFormat | null>()

/** The calendar day of `instant` in `timeZone` (YYYY-MM-DD). */
export function calendarDay(instant: Date, timeZone: string): string {
  let format = dayFormats.get(timeZone)
  if (format === undefined) {
    try {
      format = new Intl.DateTimeFormat('en-CA', {
        timeZone,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
      })
    } catch {
      format = null
    }
    // Bounded by the organisations' time zones (IANA names; an unknown one is cached as unusable).
    if (dayFormats.size < 1_000) dayFormats.set(timeZone, format)
  }
  return format ? format.format(instant) : instant.toISOString().slice(0, 10)
}

/** The rows the model's context is made of, as one query per kind (compiled: they run on a transaction or a pipeline). */
function contextQueries(kysely: Kysely<DB>, organisationId: string, userId: string): CompiledQuery[] {
  return [
    kysely
      .selectFrom('clients')
      .select(['id', 'name'])
      .where('organisation_id', '=', organisationId)
      .orderBy('name')
      .limit(MAX_NAMES)
      .compile(),
    kysely
      .selectFrom('projects')
      .select(['id', 'name', 'code', 'client_id'])
      .where('organisation_id', '=', organisationId)
      .orderBy('starts_on', 'desc')
      .limit(MAX_NAMES)
      .compile(),
    kysely
      .selectFrom('people')
      .select(['id', 'full_name'])
      .where('organisation_id', '=', organisationId)
      .where('active', '=', true)
      .orderBy('full_name')
      .limit(MAX_NAMES)
      .compile(),
    kysely
      .selectFrom('roles')
      .select('name')
      .where('organisation_id', '=', organisationId)
      .orderBy('name')
      .limit(MAX_NAMES)
      .compile(),
    kysely
      .selectFrom('skills')
      .select('name')
      .where('organisation_id', '=', organisationId)
      .orderBy('name')
      .limit(MAX_NAMES)
      .compile(),
    kysely
      .selectFrom('memberships')
      .select('role')
      .where('organisation_id', '=', organisationId)
      .where('user_id', '=', userId)
      .compile(),
  ]
}

type Rows = readonly unknown[]

interface ContextInput {
  organisationId: string
  userContext: Record<string, unknown>
  today: string
  currency: string
  userId: string
}

/** The model's context from the rows of `contextQueries`, in their order. */
function shapeModelContext(results: readonly Rows[], input: ContextInput): Record<string, unknown> {
  const [clients, projects, people, roles, skills, memberships] = results as [
    { id: string; name: string }[],
    { id: string; name: string; code: string; client_id: string | null }[],
    { id: string; full_name: string }[],
    { name: string }[],
    { name: string }[],
    { role: MembershipRole }[],
  ]
  const user = input.userContext
  const aliases: Record<string, string> = {
    project_id: 'projectId',
    client_id: 'clientId',
    quote_id: 'quoteId',
  }
  const fromSnakeCase = Object.fromEntries(
    Object.entries(aliases)
      .filter(([snake, camel]) => typeof user[snake] === 'string' && user[camel] === undefined)
      .map(([snake, camel]) => [camel, user[snake]]),
  )
  return {
    today: input.today,
    currency: input.currency,
    clients: clients.map((c) => ({ id: c.id, name: c.name })),
    projects: projects.map((p) => ({ id: p.id, name: p.name, aliases: [p.code], clientId: p.client_id })),
    people: people.map((p) => ({ id: p.id, name: p.full_name })),
    roles: roles.map((r) => r.name),
    skills: skills.map((s) => s.name),
    autoApplyAllowed: canDecideProposals(memberships[0]?.role),
    ...fromSnakeCase,
    ...user,
  }
}

/**
 * The request's structured context as the model reads it: the user's own keys (snake_case ids such as
 * `project_id` also under the camelCase names the request parser knows), plus the organisation's names
 * (clients, projects, people, roles, skills) so "Acme" or "the website rebuild" resolve to real rows, the
 * organisation's currency, and the day the request was made (so "next month" means the same on a retry).
 * The user's own keys win over anything derived.
 */
export async function buildModelContext(tx: Tx, input: ContextInput): Promise<Record<string, unknown>> {
  const results = await Promise.all(
    contextQueries(tx, input.organisationId, input.userId).map((q) => tx.executeQuery(q).then((r) => r.rows)),
  )
  return shapeModelContext(results, input)
}

/**
 * The organisation (its currency and time zone) and, with `withContext`, the model's context
 * (`buildModelContext`), read as the user (RLS) in one round trip: every query goes in one pipeline, since
 * none needs another's answer (the day and currency are filled in from the organisation afterwards).
 * Undefined organisation: the user no longer sees it.
 */
export async function readOrganisationContext(
  db: Database,
  claims: JwtClaims,
  input: { organisationId: string; userId: string; queuedAt: Date; userContext: Record<string, unknown> },
  withContext: boolean,
): Promise<{
  organisation: { currency: string; timezone: string } | undefined
  context?: Record<string, unknown>
}> {
  const organisationQuery = db.kysely
    .selectFrom('organisations')
    .select(['currency', 'timezone'])
    .where('id', '=', input.organisationId)
    .compile()
  const queries = [
    organisationQuery,
    ...(withContext ? contextQueries(db.kysely, input.organisationId, input.userId) : []),
  ]
  const [organisations, ...results] = (await db.pipeline(claims, (tx) =>
    queries.map((q) => compiledStatement(tx, q)),
  )) as unknown as Rows[]
  const organisation = (organisations as { currency: string; timezone: string }[])[0]
  if (!organisation || !withContext) return { organisation }
  const context = shapeModelContext(results, {
    organisationId: input.organisationId,
    userId: input.userId,
    userContext: input.userContext,
    today: calendarDay(input.queuedAt, organisation.timezone),
    currency: organisation.currency,
  })
  return { organisation, context }
}
