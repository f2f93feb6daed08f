import { type RequestContext, requestContextSchema } from '../context.js'
import { extractDates } from './dates.js'
import { extractDurations } from './durations.js'
import { extractFlags } from './flags.js'
import { attachRoles, extractHours } from './hours.js'
import { extractIntents } from './intents.js'
import { extractMoney } from './money.js'
import { extractEntities } from './names.js'
import { extractPercentages } from './percentages.js'
import { extractQuoteReferences } from './references.js'
import { disciplineRoles, extractRoles, extractSkills } from './roles.js'
import { Scanner } from './scanner.js'
import {
  type AgentType,
  type DateMention,
  type Intent,
  type IntentMention,
  type Missing,
  type Span,
  type Understanding,
  understandingSchema,
} from './schema.js'
import { FILLER_WORDS } from './vocabulary.js'

export interface UnderstandOptions {
  /** The agent handling the request; its intents win ties. */
  agentType?: AgentType | null
}

/** Words a subject phrase stops at: "website rebuild | for Acme", "rebuild | starting 5 Jan". */
const SUBJECT_STOP = new Set([
  'for',
  'starting',
  'start',
  'from',
  'with',
  'at',
  'by',
  'in',
  'on',
  'to',
  'budget',
  'within',
  'under',
  'and',
  'or',
  'but',
  'that',
  'which',
  'using',
  'including',
  'so',
])
const SUBJECT_LEADING = new Set(['a', 'an', 'the', 'for', 'of', 'our', 'new', 'their', 'my'])

/** "Acme needs a website rebuild plan": the free words right before the plan noun. */
function extractSubjectBefore(scanner: Scanner, before: number): { text: string; span: Span } | null {
  const words = [...scanner.masked.slice(0, before).matchAll(/[^\s]+/g)].reverse()
  const picked: { start: number; end: number }[] = []
  for (const word of words) {
    const lower = word[0].toLowerCase()
    if (!/^[\p{L}][\p{L}\p{N}'’&/-]*$/u.test(word[0]) || SUBJECT_STOP.has(lower) || FILLER_WORDS.has(lower))
      break
    picked.unshift({ start: word.index, end: word.index + word[0].length })
    if (picked.length >= 6) break
  }
  const first = picked[0]
  const last = picked.at(-1)
  if (!first || !last) return null
  const span = scanner.consume(first.start, last.end)
  return { text: span.text, span }
}

/** The thing to plan: free words right after the plan verb, up to the first preposition or claimed text. */
function extractSubject(scanner: Scanner, after: number): { text: string; span: Span } | null {
  const words = [...scanner.masked.slice(after).matchAll(/[^\s]+/g)].map((m) => ({
    raw: m[0],
    start: after + m.index,
    end: after + m.index + m[0].length,
  }))
  const picked: { start: number; end: number }[] = []
  for (const word of words) {
    const clean = word.raw.replace(/[,.;:!?]+$/, '')
    const lower = clean.toLowerCase()
    const isMasked = word.raw.includes('\uE000')
    if (picked.length === 0) {
      // Before the subject starts, skip articles and already-understood words ("a 12-week ...").
      if (isMasked || SUBJECT_LEADING.has(lower)) continue
    }
    if (isMasked || SUBJECT_STOP.has(lower) || !/^[\p{L}][\p{L}\p{N}'’&/-]*$/u.test(clean)) break
    picked.push({ start: word.start, end: word.start + clean.length })
    if (clean !== word.raw || picked.length >= 6) break
  }
  while (
    picked.length > 0 &&
    FILLER_WORDS.has(scanner.text.slice(picked.at(-1)?.start, picked.at(-1)?.end).toLowerCase())
  )
    picked.pop()
  const first = picked[0]
  const last = picked.at(-1)
  if (!first || !last) return null
  const span = scanner.consume(first.start, last.end)
  return { text: span.text, span }
}

const EDGE_WORDS = new Set([
  'a',
  'an',
  'the',
  'and',
  'or',
  'but',
  'with',
  'for',
  'to',
  'of',
  'also',
  'please',
  'then',
  'so',
])

/** What nobody claimed, as fragments between punctuation and understood text, minus pure filler. */
function remainder(scanner: Scanner): { text: string; span: Span }[] {
  const fragments: { text: string; span: Span }[] = []
  let current: { text: string; start: number; end: number }[] = []
  const flush = () => {
    while (current.length > 0 && EDGE_WORDS.has((current[0]?.text ?? '').toLowerCase())) current.shift()
    while (current.length > 0 && EDGE_WORDS.has((current.at(-1)?.text ?? '').toLowerCase())) current.pop()
    const first = current[0]
    const last = current.at(-1)
    if (first && last && current.some((w) => !FILLER_WORDS.has(w.text.toLowerCase()))) {
      fragments.push({
        text: scanner.text.slice(first.start, last.end),
        span: scanner.span(first.start, last.end),
      })
    }
    current = []
  }
  let previousEnd = 0
  for (const word of scanner.freeWords()) {
    const gap = scanner.masked.slice(previousEnd, word.start)
    if (current.length > 0 && /[\uE000,;.!?()[\]{}+]|\s[-–—]\s|:/.test(gap)) flush()
    current.push(word)
    previousEnd = word.end
  }
  flush()
  return fragments
}

const CLIENT_OR_PROJECT = 'which client or project this is for'

function missingFor(
  intent: Intent | null,
  u: Omit<Understanding, 'missing'>,
  context: RequestContext,
): Missing[] {
  const missing: Missing[] = []
  const need = (condition: boolean, field: string, message: string, required = true) => {
    if (!condition) missing.push({ field, message, required })
  }
  // A client or project selected in the UI (context ids) counts as named.
  const hasClientOrProject =
    u.summary.client !== null || u.summary.project !== null || Boolean(context.clientId ?? context.projectId)
  const hasQuote = hasClientOrProject || u.quoteReferences.length > 0 || Boolean(context.quoteId)
  const hasRoleOrSkill = u.roles.length > 0 || u.skills.length > 0
  switch (intent) {
    case null:
      missing.push({
        field: 'intent',
        message: 'what you want me to do (plan, staff, quote, ...)',
        required: true,
      })
      break
    case 'plan':
      need(hasClientOrProject, 'client', CLIENT_OR_PROJECT)
      need(u.summary.startDate !== null, 'startDate', 'a start date')
      need(
        u.summary.duration !== null || u.summary.endDate !== null,
        'duration',
        'how long it should take (or an end date)',
      )
      need(u.summary.budget !== null, 'budget', 'a budget', false)
      break
    case 'status_check':
      need(hasClientOrProject, 'project', 'which project or client to check')
      break
    case 'find_candidates':
      need(hasRoleOrSkill, 'role', 'which roles or skills are needed')
      need(
        u.summary.period !== null || u.summary.startDate !== null,
        'period',
        'when the people are needed',
        false,
      )
      break
    case 'staff':
      // Without a project or client, staffing takes every open request of the organisation.
      need(
        hasClientOrProject,
        'project',
        'which project or client to staff (without one, every open request)',
        false,
      )
      need(
        u.summary.period !== null || u.summary.startDate !== null,
        'period',
        'when the people are needed',
        false,
      )
      break
    case 'quote':
      need(u.hours.length > 0, 'hours', 'the hours per role to quote (e.g. "200h senior dev")')
      need(
        u.summary.margin !== null || u.summary.marginFloor !== null || u.summary.markup !== null,
        'margin',
        'a target margin',
        false,
      )
      if (u.flags.clientRateCard) need(hasClientOrProject, 'client', "which client's rate card to use")
      break
    case 'revise_quote':
      need(hasQuote, 'quote', 'which quote to revise')
      need(
        u.hours.length > 0 || u.percentages.length > 0 || u.money.length > 0 || u.flagSpans.length > 0,
        'changes',
        'what to change in the quote',
      )
      break
    case 'convert_quote':
      need(hasQuote, 'quote', 'which quote to convert')
      break
    case 'setup_staff_quote':
      need(hasClientOrProject, 'client', CLIENT_OR_PROJECT)
      break
  }
  for (const line of u.hours) {
    if (!line.role)
      missing.push({
        field: 'hours.role',
        message: `which role the ${line.span.text} is for`,
        required: true,
      })
  }
  return missing
}

function pickDates(intent: Intent | null, dates: DateMention[]) {
  const resolved = dates.filter((d) => d.from !== null)
  const start = resolved.find((d) => d.role === 'start')
  const end = resolved.find((d) => d.role === 'end')
  const rangeMention = resolved.find((d) => d.role === 'period' && d.to !== null)
  const unspecified = resolved.find((d) => d.role === 'unspecified')
  const wantsPeriod =
    intent === 'find_candidates' ||
    intent === 'staff' ||
    intent === 'status_check' ||
    intent === 'over_allocation' ||
    intent === 'utilisation' ||
    intent === 'bench' ||
    intent === 'what_if'
  const startDate =
    start?.from ?? rangeMention?.from ?? (!wantsPeriod ? unspecified?.from : undefined) ?? null
  const endDate = end?.to ?? rangeMention?.to ?? null
  const periodMention = rangeMention ?? (wantsPeriod ? (unspecified ?? start) : undefined)
  const period =
    periodMention?.from && periodMention.to
      ? { from: periodMention.from, to: periodMention.to }
      : startDate && endDate
        ? { from: startDate, to: endDate }
        : null
  return { startDate, endDate, period }
}

/**
 * Parses a request into the entities the agents need. Pure and deterministic: the same text and context
 * always give the same result, and nothing reads the clock (relative dates use `context.today`).
 */
/** Longer requests are read up to here: parsing cost grows with length times the number of known names. */
export const MAX_REQUEST_CHARS = 8000

export function understand(
  fullText: string,
  rawContext: unknown = {},
  options: UnderstandOptions = {},
): Understanding {
  const parsedContext = requestContextSchema.safeParse(rawContext ?? {})
  const context: RequestContext = parsedContext.success ? parsedContext.data : {}
  const notes: string[] = []
  if (!parsedContext.success) notes.push('The request context was malformed, so I ignored it.')
  return understandIn(fullText, context, options, notes)
}

/**
 * `understand` with a context already validated against `requestContextSchema` (as `parseUserMessage`
 * returns it): the offline model validated it when it read the message, and validating a firm's names a
 * second time was a sixth of an understanding. The schema has no transforms, so this is the same result.
 */
export function understandValidated(
  fullText: string,
  context: RequestContext,
  options: UnderstandOptions = {},
): Understanding {
  return understandIn(fullText, context, options, [])
}

function understandIn(
  fullText: string,
  context: RequestContext,
  options: UnderstandOptions,
  notes: string[],
): Understanding {
  const text = fullText.slice(0, MAX_REQUEST_CHARS)
  if (fullText.length > text.length) {
    notes.push(
      `The request is ${fullText.length} characters long; I only read the first ${MAX_REQUEST_CHARS}.`,
    )
  }

  const scanner = new Scanner(text)
  const { flags, spans: flagSpans } = extractFlags(scanner)
  const quoteReferences = extractQuoteReferences(scanner, context)
  const percentages = extractPercentages(scanner)
  const money = extractMoney(scanner, context, notes)
  const dates = extractDates(scanner, context, notes)
  const hourFigures = extractHours(scanner)
  const durations = extractDurations(scanner)
  const entities = extractEntities(scanner, context, notes)
  const { intent, agentType, intents } = extractIntents(scanner, options.agentType ?? null, notes)
  // "Staff and quote 120h QA for …" names the work as hours per role, not a project to name.
  const subjectAnchor =
    intent === 'setup_staff_quote' && hourFigures.length > 0 ? null : subjectAnchorFor(intent, intents)
  const subject =
    subjectAnchor === null
      ? null
      : (extractSubject(scanner, subjectAnchor.end) ?? extractSubjectBefore(scanner, subjectAnchor.start))
  const skills = extractSkills(scanner, context)
  const roles = extractRoles(scanner, context, skills)
  const hours = attachRoles(
    text,
    hourFigures,
    [...roles, ...disciplineRoles(skills, context)].sort((a, b) => a.span.start - b.span.start),
  )
  const unparsed = remainder(scanner)

  const { startDate, endDate, period } = pickDates(intent, dates)
  const totals = hours.filter((h) => h.per === null)
  const percentage = (role: string) => percentages.find((p) => p.role === role)?.value ?? null
  const base: Omit<Understanding, 'missing'> = {
    text: fullText,
    today: context.today ?? null,
    intent,
    agentType,
    intents,
    subject,
    durations,
    dates,
    money,
    percentages,
    hours,
    roles,
    skills,
    entities,
    quoteReferences,
    flags,
    flagSpans,
    summary: {
      client: entities.find((e) => e.kind === 'client') ?? null,
      project: entities.find((e) => e.kind === 'project') ?? null,
      duration: durations[0] ?? null,
      startDate,
      endDate,
      period,
      budget:
        money.find((m) => m.role === 'budget') ??
        (intent === 'plan' || intent === 'setup_staff_quote'
          ? (money.find((m) => m.role === 'unspecified') ?? null)
          : null),
      margin: percentage('margin'),
      marginFloor: percentage('margin_floor'),
      markup: percentage('markup'),
      discount: percentage('discount'),
      winProbability: percentage('win_probability'),
      contingency: percentage('contingency'),
      totalHours: totals.length > 0 ? totals.reduce((sum, h) => sum + h.hours, 0) : null,
    },
    unparsed,
    notes,
  }
  if (flags.autoApply && context.autoApplyAllowed === false) {
    notes.push('You asked me to auto-apply, but your role does not allow it; I will only propose changes.')
  }
  return understandingSchema.parse({ ...base, missing: missingFor(intent, base, context) })
}

function subjectAnchorFor(intent: Intent | null, intents: IntentMention[]): Span | null {
  if (intent === 'plan') return intents.find((m) => m.intent === 'plan')?.spans.at(-1) ?? null
  if (intent === 'setup_staff_quote') return intents[0]?.spans.at(-1) ?? null
  return null
}
