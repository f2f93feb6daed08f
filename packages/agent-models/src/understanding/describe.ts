import { formatMoney } from './money.js'
import type { Duration, FlagName, Intent, RoleMention, Understanding } from './schema.js'
import { ROLE_LABELS } from './vocabulary.js'

const INTENT_LABELS: Record<Intent, string> = {
  plan: 'plan a project',
  status_check: 'check how a project is doing',
  schedule: 'schedule a project against real capacity',
  baseline: 'take a baseline of a project',
  compare_baseline: 'compare a project with its baseline',
  replan: 'replan an existing project',
  find_candidates: 'find people who could be staffed',
  staff: 'staff a project',
  open_requests: 'list the open resource requests',
  over_allocation: 'find over-allocated people and booking conflicts',
  utilisation: 'forecast utilisation',
  bench: 'find who is on the bench (free)',
  what_if: 'run a what-if scenario without changing anything',
  quote: 'prepare a quote',
  revise_quote: 'revise a quote',
  convert_quote: 'convert a won quote into a project',
  request_approval: 'request approval for a quote',
  setup_staff_quote: 'set up, staff and quote a project',
}

const FLAG_LABELS: Record<FlagName, string> = {
  clientRateCard: "use the client's rate card",
  standardRateCard: 'use the standard rate card',
  autoApply: 'apply the changes automatically',
  respectUtilisationTarget: 'keep everyone within their utilisation target',
  softBooking: 'soft bookings',
  hardBooking: 'hard bookings',
  timeAndMaterials: 'time and materials',
  fixedFee: 'fixed fee',
  retainer: 'retainer',
  costObjective: 'staff at the lowest cost',
  fitObjective: 'staff by best skill fit',
  balanceObjective: 'staff balancing utilisation',
}

export function describeIntent(intent: Intent): string {
  return INTENT_LABELS[intent]
}

function plural(value: number, unit: string): string {
  return `${value} ${unit}${value === 1 ? '' : 's'}`
}

export function describeDuration(d: Duration): string {
  return `${plural(d.value, d.calendar === 'working' ? `working ${d.unit}` : d.unit)}`
}

export function describeRole(role: RoleMention): string {
  const name =
    role.knownRole ??
    [role.level, role.specialism, role.skill, role.role ? ROLE_LABELS[role.role] : 'people']
      .filter(Boolean)
      .join(' ')
  return role.count ? `${role.count} × ${name}` : name
}

/** One or two sentences saying what the request was understood to ask for. */
export function describeUnderstanding(u: Understanding): string {
  if (!u.intent) return 'I could not tell what you want me to do.'
  const s = u.summary
  const parts: string[] = []
  if (s.project) parts.push(`project ${s.project.name}`)
  if (s.client && s.client.match !== 'inferred') parts.push(`client ${s.client.name}`)
  if (u.subject) parts.push(`"${u.subject.text}"`)
  if (s.duration) parts.push(describeDuration(s.duration))
  if (s.startDate) parts.push(`starting ${s.startDate}`)
  if (s.endDate) parts.push(`ending ${s.endDate}`)
  if (s.period && s.period.from !== s.startDate) parts.push(`period ${s.period.from} to ${s.period.to}`)
  if (s.budget) parts.push(`budget ${formatMoney(s.budget)}`)
  // Compare by position: the parsed understanding holds copies, not the same objects.
  for (const money of u.money.filter((m) => m.span.start !== s.budget?.span.start)) {
    parts.push(
      `${money.role === 'unspecified' ? 'amount' : money.role} ${formatMoney(money)}${money.per ? ` per ${money.per}` : ''}`,
    )
  }
  const lines = u.hours.map(
    (h) => `${h.hours}h${h.per ? ` per ${h.per}` : ''} ${h.role ? describeRole(h.role) : '(no role)'}`,
  )
  if (lines.length > 0) parts.push(lines.join(' + '))
  const inLines = new Set(u.hours.map((h) => h.role?.span.start))
  const otherRoles = u.roles.filter((r) => !inLines.has(r.span.start)).map(describeRole)
  if (otherRoles.length > 0) parts.push(`roles: ${otherRoles.join(', ')}`)
  const roleSkills = new Set(u.roles.map((r) => r.skill))
  const otherSkills = u.skills.filter((sk) => !roleSkills.has(sk.skill)).map((sk) => sk.skill)
  if (otherSkills.length > 0) parts.push(`skills: ${otherSkills.join(', ')}`)
  if (s.margin !== null) parts.push(`${s.margin}% margin`)
  if (s.marginFloor !== null) parts.push(`margin at least ${s.marginFloor}%`)
  if (s.markup !== null) parts.push(`${s.markup}% markup`)
  if (s.discount !== null) parts.push(`${s.discount}% discount`)
  if (s.contingency !== null) parts.push(`${s.contingency}% contingency`)
  if (s.winProbability !== null) parts.push(`win probability ${s.winProbability}%`)
  for (const ref of u.quoteReferences) {
    parts.push(`quote ${ref.reference ?? ''}${ref.version ? ` version ${ref.version}` : ''}`.trim())
  }
  const flags = [...new Set(u.flagSpans.map((f) => f.flag))].map((f) => FLAG_LABELS[f])
  if (flags.length > 0) parts.push(flags.join(', '))
  const details = parts.length > 0 ? `: ${parts.join('; ')}` : ''
  return `I read this as a request to ${INTENT_LABELS[u.intent]}${details}.`
}

/**
 * What the parser could not use, what is missing and what it assumed, as short sentences; null when the
 * request was fully understood. `brief` keeps only what was not understood and what is required.
 */
export function describeGaps(u: Understanding, { brief = false }: { brief?: boolean } = {}): string | null {
  const sentences: string[] = []
  if (u.unparsed.length > 0) {
    sentences.push(`I did not understand: ${u.unparsed.map((f) => `"${f.text}"`).join(', ')}.`)
  }
  const required = u.missing.filter((m) => m.required)
  const optional = u.missing.filter((m) => !m.required)
  if (required.length > 0) sentences.push(`Missing: ${required.map((m) => m.message).join('; ')}.`)
  if (brief) return sentences.length > 0 ? sentences.join(' ') : null
  if (optional.length > 0) sentences.push(`Not given: ${optional.map((m) => m.message).join('; ')}.`)
  sentences.push(...u.notes)
  return sentences.length > 0 ? sentences.join(' ') : null
}
