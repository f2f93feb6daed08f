import { formatMoney, type Understanding, understand } from '@psa/agent-models'
import { daysBetween } from '@psa/calendar'

/**
 * The specialists' requests, phrased the way their offline playbooks read them (the phrasings of DESIGN §1)
 * and checked by parsing them back with the same `understand` the specialists use: a role the parser would
 * misread is left out and reported, never silently priced or staffed as something else.
 */

/** Work to staff and price: from a plan's proposal, or from the hours and roles the user named. */
export interface Work {
  roles: { role: string; hours: number | null; starts_on: string | null; ends_on: string | null }[]
  starts_on: string | null
  ends_on: string | null
}

function article(word: string): string {
  return /^[aeiou]/i.test(word) ? 'an' : 'a'
}

/** 320 -> "320", 37.5 -> "37.5", 12.25 -> "12.3". */
export function formatHours(hours: number): string {
  return String(Math.round(hours * 10) / 10)
}

function sameRoles(parsed: readonly (string | null)[], wanted: readonly string[]): boolean {
  return parsed.length === wanted.length && parsed.every((role, i) => role === wanted[i])
}

/** The request for the project agent: "Plan a 12-week website rebuild for Acme starting 2027-01-05, budget …". */
export function planningRequest(u: Understanding, clientName: string): string {
  const subject = u.subject?.text ?? 'project'
  const start = u.summary.startDate ?? u.summary.period?.from ?? null
  const end = u.summary.endDate ?? u.summary.period?.to ?? null
  const weeks = u.summary.duration ? Math.max(1, Math.round(u.summary.duration.weeks)) : null
  const when =
    weeks !== null
      ? `${start ? ` starting ${start}` : ''}`
      : start && end
        ? ` from ${start} to ${end}`
        : end
          ? ` ending ${end}`
          : ''
  const what = weeks !== null ? `a ${weeks}-week ${subject}` : `${article(subject)} ${subject}`
  const budget = u.summary.budget
  const billing = u.flags.billingModel
    ? `, ${{ time_and_materials: 'time and materials', fixed_fee: 'fixed fee', retainer: 'retainer' }[u.flags.billingModel]}`
    : ''
  return `Plan ${what} for ${clientName}${when}${budget ? `, budget ${formatMoney(budget)}` : ''}${billing}`
}

function weeksBetween(from: string, to: string): number {
  return Math.max(1, Math.round((daysBetween(from, to) + 1) / 7))
}

export interface StaffingRequest {
  request: string
  roles: string[]
  from: string
  to: string
  /** The first role's load: people needed and hours a week each (null without hours). */
  lead: { role: string; people: number; hoursPerWeek: number } | null
  /** Roles the resourcing agent would misread, so they were not asked about. */
  unreadable: string[]
}

/** How many roles one staffing request names: the resourcing agent ranks people role by role. */
export const MAX_STAFFING_ROLES = 3
/** A full working week: a heavier weekly load needs more than one person. */
const FULL_WEEK_HOURS = 40

/**
 * "Who can staff a Senior Developer at 32 hours a week, a Project Manager and a Designer from 2027-01-05 to
 * 2027-03-29?": the roles with the most hours over the period they work in, the first with its average
 * weekly load over that period (split between people when it is more than one person's week). Null when no
 * role can be phrased so the resourcing agent reads it, or no period is known.
 */
export function staffingRequest(work: Work, context: unknown): StaffingRequest | null {
  const unreadable: string[] = []
  const readable = work.roles.filter((r) => {
    const check = understand(`Who can staff ${article(r.role)} ${r.role}?`, context, {
      agentType: 'resourcing',
    })
    const ok = check.roles.length === 1 && check.roles[0]?.knownRole === r.role
    if (!ok) unreadable.push(r.role)
    return ok
  })
  let chosen = readable.slice(0, MAX_STAFFING_ROLES)
  while (chosen.length > 0) {
    const from = chosen
      .map((r) => r.starts_on ?? work.starts_on)
      .filter((d) => d !== null)
      .sort()[0]
    const to = chosen
      .map((r) => r.ends_on ?? work.ends_on)
      .filter((d) => d !== null)
      .sort()
      .at(-1)
    if (!from || !to) return null
    const [first, ...others] = chosen as [Work['roles'][number], ...Work['roles']]
    const weekly = first.hours !== null ? first.hours / weeksBetween(from, to) : null
    const people = weekly !== null ? Math.max(1, Math.ceil(weekly / FULL_WEEK_HOURS)) : 1
    const each = weekly !== null ? Math.max(1, Math.round(weekly / people)) : null
    const names = [
      `${article(first.role)} ${first.role}${each !== null ? ` at ${each} hours a week` : ''}`,
      ...others.map((r) => `${article(r.role)} ${r.role}`),
    ]
    const list = names.length === 1 ? names[0] : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`
    const request = `Who can staff ${list} from ${from} to ${to}?`
    const check = understand(request, context, { agentType: 'resourcing' })
    const weeklyLine = check.hours.find((h) => h.per === 'week')
    const ok =
      (check.intent === 'find_candidates' || check.intent === 'staff') &&
      sameRoles(
        check.roles.map((r) => r.knownRole),
        chosen.map((r) => r.role),
      ) &&
      check.summary.period?.from === from &&
      check.summary.period?.to === to &&
      (each === null || (weeklyLine?.hours === each && weeklyLine.role?.knownRole === first.role))
    if (ok) {
      return {
        request,
        roles: chosen.map((r) => r.role),
        from,
        to,
        lead: each !== null ? { role: first.role, people, hoursPerWeek: each } : null,
        unreadable,
      }
    }
    // Read alone each role was fine; together the parser stumbled: fall back to fewer roles.
    chosen = chosen.slice(0, -1)
  }
  return null
}

export interface QuoteModifiers {
  margin: number | null
  discount: number | null
  contingency: number | null
  rateCard: 'client' | 'standard' | null
  billingModel: 'time_and_materials' | 'fixed_fee' | 'retainer' | null
}

export function quoteModifiers(u: Understanding): QuoteModifiers {
  return {
    margin: u.summary.margin,
    discount: u.summary.discount,
    contingency: u.summary.contingency,
    rateCard: u.flags.standardRateCard ? 'standard' : u.flags.clientRateCard ? 'client' : null,
    billingModel: u.flags.billingModel,
  }
}

export interface QuoteRequest {
  request: string
  lines: { role: string; hours: number }[]
  /** Lines the quotes agent would misread, so they are not in the quote. */
  unreadable: { role: string; hours: number }[]
}

/**
 * "Quote 320h Senior Developer + 120h Designer for Acme Retail Group at 30% margin": every role's hours,
 * with the margin, discount, contingency, rate card and pricing model the user asked for. Null when no
 * line can be phrased so the quotes agent reads it.
 */
export function quoteRequest(
  work: Work,
  clientName: string | null,
  modifiers: QuoteModifiers,
  context: unknown,
): QuoteRequest | null {
  const wanted = work.roles
    .filter((r): r is typeof r & { hours: number } => r.hours !== null && r.hours > 0)
    .map((r) => ({ role: r.role, hours: Math.round(r.hours * 10) / 10 }))
  const unreadable: QuoteRequest['unreadable'] = []
  const tail = [
    clientName ? ` for ${clientName}` : '',
    modifiers.margin !== null ? ` at ${modifiers.margin}% margin` : '',
    modifiers.discount !== null ? `, ${modifiers.discount}% discount` : '',
    modifiers.contingency !== null ? `, ${modifiers.contingency}% contingency` : '',
    modifiers.rateCard ? `, ${modifiers.rateCard} rate card` : '',
    modifiers.billingModel
      ? `, ${{ time_and_materials: 'time and materials', fixed_fee: 'fixed fee', retainer: 'retainer' }[modifiers.billingModel]}`
      : '',
  ].join('')
  let lines = wanted.filter((line) => {
    const check = understand(`Quote ${formatHours(line.hours)}h ${line.role}${tail}`, context, {
      agentType: 'quotes',
    })
    const parsed = check.hours.filter((h) => h.per === null)
    const ok =
      parsed.length === 1 && parsed[0]?.hours === line.hours && parsed[0]?.role?.knownRole === line.role
    if (!ok) unreadable.push(line)
    return ok
  })
  while (lines.length > 0) {
    const request = `Quote ${lines.map((l) => `${formatHours(l.hours)}h ${l.role}`).join(' + ')}${tail}`
    const check = understand(request, context, { agentType: 'quotes' })
    const parsed = check.hours.filter((h) => h.per === null)
    const mismatch = lines.findIndex(
      (line, i) => parsed[i]?.hours !== line.hours || parsed[i]?.role?.knownRole !== line.role,
    )
    if (check.intent === 'quote' && mismatch === -1 && parsed.length === lines.length) {
      return { request, lines, unreadable }
    }
    // Read alone the line was fine; next to the others it was not: leave that one out.
    const dropped = lines[mismatch === -1 ? lines.length - 1 : mismatch] as QuoteRequest['lines'][number]
    unreadable.push(dropped)
    lines = lines.filter((l) => l !== dropped)
  }
  return null
}
