import { canDecideProposals } from '@psa/changesets'
import type { Tx } from '@psa/db'

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

/**
 * The request's structured context as the model reads it: the user's own keys (snake_case ids such as
 * `project_id` also under the camelCase names the request parser knows), plus the organisation's names
 * (clients, projects, people, roles, skills) so "Acme" or "the website rebuild" resolve to real rows, the
 * organisation's currency, and the day the request was made (so "next month" means the same on a retry).
 * The user's own keys win over anything derived.
 */
export async function buildModelContext(
  tx: Tx,
  input: {
    organisationId: string
    userContext: Record<string, unknown>
    today: string
    currency: string
    userId: string
  },
): Promise<Record<string, unknown>> {
  const [clients, projects, people, roles, skills, membership] = await Promise.all([
    tx
      .selectFrom('clients')
      .select(['id', 'name'])
      .where('organisation_id', '=', input.organisationId)
      .orderBy('name')
      .limit(MAX_NAMES)
      .execute(),
    tx
      .selectFrom('projects')
      .select(['id', 'name', 'code', 'client_id'])
      .where('organisation_id', '=', input.organisationId)
      .orderBy('starts_on', 'desc')
      .limit(MAX_NAMES)
      .execute(),
    tx
      .selectFrom('people')
      .select(['id', 'full_name'])
      .where('organisation_id', '=', input.organisationId)
      .where('active', '=', true)
      .orderBy('full_name')
      .limit(MAX_NAMES)
      .execute(),
    tx
      .selectFrom('roles')
      .select('name')
      .where('organisation_id', '=', input.organisationId)
      .orderBy('name')
      .limit(MAX_NAMES)
      .execute(),
    tx
      .selectFrom('skills')
      .select('name')
      .where('organisation_id', '=', input.organisationId)
      .orderBy('name')
      .limit(MAX_NAMES)
      .execute(),
    tx
      .selectFrom('memberships')
      .select('role')
      .where('organisation_id', '=', input.organisationId)
      .where('user_id', '=', input.userId)
      .executeTakeFirst(),
  ])
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
    autoApplyAllowed: canDecideProposals(membership?.role),
    ...fromSnakeCase,
    ...user,
  }
}
