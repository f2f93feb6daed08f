import { compilePhrase, phraseWeight } from './phrase-pattern.js'
import { PHRASES } from './phrases.js'
import { type Prefilter, phrasePrefilter } from './prefilter.js'
import type { Scanner } from './scanner.js'
import { type AgentType, INTENT_AGENT, type Intent, type IntentMention, type Span } from './schema.js'

type SimpleIntent = Exclude<Intent, 'setup_staff_quote'>

interface CompiledPhrase {
  intent: SimpleIntent
  pattern: RegExp
  /** Words the phrase cannot match without: most phrases are skipped without running their pattern. */
  prefilter: Prefilter
  score: number
}

/** Every phrase of the catalogue, most specific first, so "replan" is claimed before "plan" can be. */
const COMPILED: readonly CompiledPhrase[] = PHRASES.flatMap((entry) =>
  entry.phrases.map((phrase) => ({
    intent: entry.intent,
    pattern: compilePhrase(phrase),
    prefilter: phrasePrefilter(phrase),
    score: phraseWeight(phrase) + (entry.boost ?? 0),
  })),
).sort((a, b) => b.score - a.score)

const ALSO: ReadonlyMap<SimpleIntent, readonly { pattern: RegExp; prefilter: Prefilter }[]> = new Map(
  PHRASES.filter((e) => e.also).map((e) => [
    e.intent,
    (e.also ?? []).map((phrase) => ({ pattern: compilePhrase(phrase), prefilter: phrasePrefilter(phrase) })),
  ]),
)

/** The three steps of a broad request; the other intents act on something that exists. */
const GROUP: Record<SimpleIntent, 'plan' | 'staff' | 'quote' | 'other'> = {
  plan: 'plan',
  staff: 'staff',
  find_candidates: 'staff',
  open_requests: 'other',
  quote: 'quote',
  revise_quote: 'other',
  convert_quote: 'other',
  request_approval: 'other',
  status_check: 'other',
  schedule: 'other',
  baseline: 'other',
  compare_baseline: 'other',
  replan: 'other',
  over_allocation: 'other',
  utilisation: 'other',
  bench: 'other',
  what_if: 'other',
}

function keywordRanges(match: RegExpExecArray): [number, number][] {
  const groups = match.indices?.groups
  const keyed = groups
    ? Object.entries(groups)
        .filter(([name, range]) => /^k\d+$/.test(name) && range !== undefined)
        .map(([, range]) => range as [number, number])
    : []
  return keyed.length > 0 ? keyed : [[match.index, match.index + match[0].length]]
}

const VERB_LEAD =
  /(?:^|[,;:.!?]|\b(?:and|then|also|please|to|you|me|us|can|could|would|will|pls|just|now))\s*$/i

/** Whether a word at `start` reads as an instruction: at a clause start, or after "and", "please", "can you"... */
function isVerbPosition(text: string, start: number): boolean {
  return VERB_LEAD.test(text.slice(Math.max(0, start - 20), start))
}

export interface IntentResult {
  intent: Intent | null
  agentType: AgentType | null
  intents: IntentMention[]
}

/**
 * Finds every intent the request signals and picks the primary one. Plan + staff + quote words together
 * ("set up, staff and quote the Acme rebuild") make the orchestrator's broad intent. `preferAgent`
 * (the agent handling the request) wins ties between intents of different agents.
 */
export function extractIntents(
  scanner: Scanner,
  preferAgent: AgentType | null,
  notes: string[],
): IntentResult {
  const found = new Map<SimpleIntent, { spans: Span[]; score: number; order: number }>()
  for (const phrase of COMPILED) {
    if (!scanner.mayMatch(phrase.prefilter)) continue
    for (const match of scanner.matches(phrase.pattern)) {
      const ranges = keywordRanges(match)
      if (!ranges.every(([s, e]) => scanner.isFree(s, e))) continue
      const entry = found.get(phrase.intent) ?? { spans: [], score: 0, order: match.index }
      for (const [s, e] of ranges) entry.spans.push(scanner.consume(s, e))
      entry.score = Math.max(entry.score, phrase.score)
      entry.order = Math.min(entry.order, match.index)
      found.set(phrase.intent, entry)
    }
  }
  const mentions: IntentMention[] = []
  const scores = new Map<IntentMention, number>()
  for (const [intent, entry] of found) {
    for (const { pattern, prefilter } of ALSO.get(intent) ?? []) {
      if (!scanner.mayMatch(prefilter)) continue
      for (const match of scanner.matches(pattern))
        entry.spans.push(scanner.consume(match.index, match.index + match[0].length))
    }
    entry.spans.sort((a, b) => a.start - b.start)
    const mention: IntentMention = { intent, agentType: INTENT_AGENT[intent], spans: entry.spans }
    scores.set(mention, entry.score)
    mentions.push(mention)
  }
  mentions.sort((a, b) => (a.spans[0]?.start ?? 0) - (b.spans[0]?.start ?? 0))

  // Only verbs count towards the broad intent: "staff the Acme quote" is one action on a quote, while
  // "set up, staff and quote" is three.
  const actions = mentions.filter(
    (m) =>
      GROUP[m.intent as SimpleIntent] !== 'other' &&
      m.spans.some((s) => isVerbPosition(scanner.text, s.start)),
  )
  const groups = new Set(actions.map((m) => GROUP[m.intent as SimpleIntent]))
  if (groups.size >= 2) {
    const spans = actions.flatMap((m) => m.spans)
    const composite: IntentMention = { intent: 'setup_staff_quote', agentType: 'orchestrator', spans }
    return { intent: 'setup_staff_quote', agentType: 'orchestrator', intents: [composite, ...mentions] }
  }

  const ranked = [...mentions].sort(
    (a, b) =>
      (scores.get(b) ?? 0) - (scores.get(a) ?? 0) || (a.spans[0]?.start ?? 0) - (b.spans[0]?.start ?? 0),
  )
  const preferred = preferAgent ? ranked.find((m) => m.agentType === preferAgent) : undefined
  const primary = preferred ?? ranked[0]
  if (!primary) return { intent: null, agentType: null, intents: [] }
  if (preferAgent && preferAgent !== 'orchestrator' && primary.agentType !== preferAgent) {
    notes.push(
      `This reads as a ${primary.agentType.replace('_', ' ')} request (${primary.intent.replace('_', ' ')}), not one for the ${preferAgent.replace('_', ' ')} agent.`,
    )
  }
  return {
    intent: primary.intent,
    agentType: primary.agentType,
    intents: [primary, ...mentions.filter((m) => m !== primary)],
  }
}
