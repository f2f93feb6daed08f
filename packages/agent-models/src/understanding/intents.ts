import type { Scanner } from './scanner.js'
import { type AgentType, INTENT_AGENT, type Intent, type IntentMention, type Span } from './schema.js'

/**
 * Intent rules. A pattern's named groups k1, k2, ... mark the words that signal the intent (so "how is
 * Acme doing" claims "how is" and "doing" but leaves "Acme" to the name matcher); without groups the
 * whole match is the signal. `also` words are claimed only when the rule fired.
 */
interface IntentRule {
  intent: Exclude<Intent, 'setup_staff_quote'>
  patterns: RegExp[]
  also?: RegExp[]
}

const RULES: readonly IntentRule[] = [
  {
    intent: 'convert_quote',
    patterns: [
      /\b(?<k1>convert(?:ing)?|turn(?:ing)?)\b[^.!?]{0,40}?\b(?<k2>quotes?)\b/dgi,
      /\b(?<k1>quotes?)\b[^.!?]{0,30}?\b(?<k2>(?:was|is|has\s+been|got)\s+won)\b/dgi,
    ],
    also: [/\bwon\b/gi, /\binto\s+(?:an?\s+)?(?:live\s+|real\s+)?project\b/gi],
  },
  {
    intent: 'revise_quote',
    patterns: [
      /\b(?<k1>revise|update|change|adjust|amend|rework|redo|modify|edit|tweak|re-?issue)\b[^.!?]{0,40}?\b(?<k2>quotes?)\b/dgi,
      /\b(?<k1>new\s+version|revision)\s+of\b[^.!?]{0,30}?\b(?<k2>quotes?)\b/dgi,
      /\bre-?quote\b/dgi,
    ],
    // "drop design to 60h", "raise margin to 35%": the verbs say how, the figures say what.
    also: [/\b(?:drop|reduce|lower|cut|raise|increase|bump|set|change|move|make)\b/gi],
  },
  {
    intent: 'status_check',
    patterns: [
      /\b(?<k1>how(?:['’]s|\s+is|\s+are)(?:\s+things\s+(?:with|on|at))?)\b[^.!?]{0,60}?\b(?<k2>doing|going|tracking|progressing|looking|getting\s+on)\b/dgi,
      /\b(?:status|health(?:\s+check)?|progress|burn(?:\s+rate)?|forecast(?:\s+at\s+completion)?|eac|on\s+track|behind\s+schedule|over\s+budget|late\s+milestones?|at\s+risk)\b/dgi,
      /\b(?:update|report)\s+on\b/dgi,
    ],
  },
  {
    intent: 'find_candidates',
    patterns: [
      /\bwho(?:['’]s|\s+is|\s+are)?\s+(?:can|could|is\s+able\s+to|would\s+be\s+able\s+to|might|should|available|free)\b/dgi,
      /\b(?<k1>find|suggest|recommend|shortlist|rank|identify|search\s+for|look\s+for|propose)\b[^.!?]{0,40}?\b(?<k2>candidates?|people|someone|somebody|anyone|consultants?|matches|cover|replacements?|backfill)\b/dgi,
      /\bcandidates?\b/dgi,
      /\bwho\b(?=[^.!?]{0,40}\bavailable\b)/dgi,
    ],
    also: [/\b(?:available|cover)\b/gi],
  },
  {
    intent: 'staff',
    patterns: [
      /\bstaff(?:ing)?\b|\b(?:assign|allocate|book)\b|\bresource\s+(?=the\b|this\b|our\b)|\bfill\s+(?:the\s+)?(?:roles?|positions?|gaps?)\b/dgi,
    ],
  },
  {
    intent: 'quote',
    patterns: [
      /\bquot(?:e|es|ing)\b|\bpric(?:e|ing)\s+(?:up|out)\b|\bpricing\s+for\b|\bcost\s+(?:up|out)\b/dgi,
    ],
  },
  {
    intent: 'plan',
    patterns: [
      /\b(?:create|build|draft|make|prepare|put\s+together|produce|write|come\s+up\s+with|give\s+me)\s+(?:me\s+)?(?:an?\s+|the\s+)?(?:project\s+)?(?:plan|schedule)\b/dgi,
      /\b(?:re-?)?plan(?:ning)?\b|\bschedule\b|\bset\s+up\b|\bkick[\s-]?off\s+(?:a|the)\s+(?:new\s+)?project\b/dgi,
    ],
  },
]

/** Most specific first: "who can staff" is a candidate search, "convert the quote" is not a new quote. */
const PRIORITY: readonly Exclude<Intent, 'setup_staff_quote'>[] = [
  'convert_quote',
  'revise_quote',
  'status_check',
  'find_candidates',
  'quote',
  'staff',
  'plan',
]

const GROUP: Record<Exclude<Intent, 'setup_staff_quote'>, 'plan' | 'staff' | 'quote' | 'other'> = {
  plan: 'plan',
  staff: 'staff',
  find_candidates: 'staff',
  quote: 'quote',
  revise_quote: 'other',
  convert_quote: 'other',
  status_check: 'other',
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
  const mentions: IntentMention[] = []
  for (const rule of RULES) {
    const spans: Span[] = []
    for (const pattern of rule.patterns) {
      for (const match of scanner.matches(pattern)) {
        const ranges = keywordRanges(match)
        if (!ranges.every(([s, e]) => scanner.isFree(s, e))) continue
        for (const [s, e] of ranges) spans.push(scanner.consume(s, e))
      }
    }
    if (spans.length === 0) continue
    for (const pattern of rule.also ?? []) {
      for (const match of scanner.matches(pattern))
        spans.push(scanner.consume(match.index, match.index + match[0].length))
    }
    spans.sort((a, b) => a.start - b.start)
    mentions.push({ intent: rule.intent, agentType: INTENT_AGENT[rule.intent], spans })
  }
  mentions.sort((a, b) => (a.spans[0]?.start ?? 0) - (b.spans[0]?.start ?? 0))

  // Only verbs count towards the broad intent: "staff the Acme quote" is one action on a quote, while
  // "set up, staff and quote" is three.
  const actions = mentions.filter(
    (m) =>
      GROUP[m.intent as Exclude<Intent, 'setup_staff_quote'>] !== 'other' &&
      m.spans.some((s) => isVerbPosition(scanner.text, s.start)),
  )
  const groups = new Set(actions.map((m) => GROUP[m.intent as Exclude<Intent, 'setup_staff_quote'>]))
  if (groups.size >= 2) {
    const spans = actions.flatMap((m) => m.spans)
    const composite: IntentMention = { intent: 'setup_staff_quote', agentType: 'orchestrator', spans }
    return { intent: 'setup_staff_quote', agentType: 'orchestrator', intents: [composite, ...mentions] }
  }

  const ranked = [...mentions].sort(
    (a, b) =>
      PRIORITY.indexOf(a.intent as Exclude<Intent, 'setup_staff_quote'>) -
      PRIORITY.indexOf(b.intent as Exclude<Intent, 'setup_staff_quote'>),
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
