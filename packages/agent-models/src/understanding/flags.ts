import type { Scanner } from './scanner.js'
import type { FlagName, Flags, Span } from './schema.js'

const FLAG_PATTERNS: readonly [FlagName, RegExp][] = [
  ['clientRateCard', /\b(?:the\s+|their\s+)?(?:client|customer)(?:['’]s)?\s+(?:own\s+)?rate[\s-]?cards?\b/gi],
  // "Acme's rate card": the possessive is left for the name matcher, only "rate card" is claimed here.
  ['clientRateCard', /(?<=\p{L}['’]s\s+(?:own\s+)?)rate[\s-]?cards?\b/giu],
  [
    'standardRateCard',
    /\b(?:(?:our|the)\s+)?(?:standard|default|internal|list)\s+rate(?:s|[\s-]?cards?)\b|\bour\s+rate[\s-]?cards?\b/gi,
  ],
  [
    'autoApply',
    /\bauto[\s-]?appl(?:y|ied|ying)\b|\bapply\s+(?:(?:it|them|this|that|everything|the\s+(?:changes?|plan|proposals?|results?|allocations?|bookings?))\s+)?(?:automatically|directly|straight\s+away|immediately|right\s+away)\b|\bwithout\s+(?:asking|review(?:ing)?|approval|confirmation)\b/gi,
  ],
  [
    'respectUtilisationTarget',
    /\bwithout\s+(?:pushing|putting|taking|driving|going|making)\s+(?:anyone|anybody|someone|somebody|people|any\s+one|them|staff|the\s+team)\s+(?:past|over|above|beyond)\s+(?:their|the|his|her|our)\s+utili[sz]ation(?:\s+(?:targets?|caps?|limits?))?\b/gi,
  ],
  [
    'respectUtilisationTarget',
    /\b(?:within|under|below|respect(?:ing)?|not\s+exceed(?:ing)?|stay(?:ing)?\s+(?:within|under|below))\s+(?:their\s+|the\s+|our\s+)?utili[sz]ation\s+(?:targets?|caps?|limits?)\b/gi,
  ],
  [
    'softBooking',
    /\bsoft[\s-]?(?:book(?:ing|ings|ed)?|allocat(?:e|ed|ion|ions)|holds?)\b|\btentative(?:ly)?\s+book(?:ing|ings|ed)?\b|\bpencil(?:led)?\s+(?:them\s+|people\s+)?in\b/gi,
  ],
  [
    'hardBooking',
    /\bhard[\s-]?(?:book(?:ing|ings|ed)?|allocat(?:e|ed|ion|ions))\b|\b(?:confirmed|firm)\s+book(?:ing|ings)\b/gi,
  ],
  // Staffing objectives: the words are claimed so "best fit" here is not read as a candidate search.
  [
    'costObjective',
    /\b(?:at\s+(?:the\s+)?)?(?:lowest|least|minimum|minimal|cheapest|lower)\s+(?:possible\s+|total\s+)?costs?\b|\bcheapest(?:\s+(?:way|option|people|staffing))?\b|\bminimi[sz](?:e|es|ing)\s+(?:the\s+)?costs?\b|\bcosts?[\s-]first\b|\bas\s+cheap(?:ly)?\s+as\s+possible\b|\b(?:on|by)\s+cost\b/gi,
  ],
  [
    'fitObjective',
    /\bbest[\s-](?:skills?\s+)?(?:fit|match)(?:es)?\s+first\b|\b(?:skills?\s+)?fit\s+first\b|\bmaximi[sz](?:e|es|ing)\s+(?:the\s+)?(?:skills?\s+)?fit\b|\bprioriti[sz](?:e|es|ing)\s+(?:the\s+)?(?:skills?\s+)?fit\b|\b(?:by|on|for)\s+(?:best\s+)?skills?\s+fit\b|\bwith\s+the\s+best\s+(?:skills?\s+)?fit\b/gi,
  ],
  [
    'balanceObjective',
    /\bbalanc(?:e|es|ed|ing)\s+(?:out\s+)?(?:the\s+|our\s+)?(?:utili[sz]ation|workloads?|loads?|team)\b|\b(?:utili[sz]ation|workload|load)[\s-]balanc(?:e|ed|ing)\b|\bspread(?:ing)?\s+(?:the\s+)?(?:load|work(?:load)?)(?:\s+evenly)?\b|\beven(?:ly)?\s+(?:spread|distribut\w*)\b|\beven\s+(?:out\s+)?(?:the\s+)?(?:utili[sz]ation|workloads?)\b/gi,
  ],
  ['timeAndMaterials', /\bT\s*&\s*M\b|\btime\s+(?:and|&)\s+materials?\b/gi],
  ['fixedFee', /\bfixed[\s-](?:fee|price|bid|cost)\b/gi],
  ['retainer', /\b(?:monthly\s+)?retainer\b/gi],
]

const OBJECTIVES: Partial<Record<FlagName, Flags['staffingObjective']>> = {
  costObjective: 'cost',
  fitObjective: 'fit',
  balanceObjective: 'balance',
}

export function extractFlags(scanner: Scanner): { flags: Flags; spans: { flag: FlagName; span: Span }[] } {
  const spans: { flag: FlagName; span: Span }[] = []
  for (const [flag, pattern] of FLAG_PATTERNS) {
    for (const match of scanner.matches(pattern)) {
      spans.push({ flag, span: scanner.consume(match.index, match.index + match[0].length) })
    }
  }
  const has = (flag: FlagName) => spans.some((s) => s.flag === flag)
  const flags: Flags = {
    clientRateCard: has('clientRateCard'),
    standardRateCard: has('standardRateCard'),
    autoApply: has('autoApply'),
    respectUtilisationTarget: has('respectUtilisationTarget'),
    booking: has('hardBooking') ? 'hard' : has('softBooking') ? 'soft' : null,
    billingModel: has('fixedFee')
      ? 'fixed_fee'
      : has('timeAndMaterials')
        ? 'time_and_materials'
        : has('retainer')
          ? 'retainer'
          : null,
    // One objective: the first one named wins when a request names several.
    staffingObjective:
      [...spans]
        .sort((x, y) => x.span.start - y.span.start)
        .map((s) => OBJECTIVES[s.flag])
        .find((o) => o !== undefined) ?? null,
  }
  spans.sort((a, b) => a.span.start - b.span.start)
  return { flags, spans }
}
