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
  ['timeAndMaterials', /\bT\s*&\s*M\b|\btime\s+(?:and|&)\s+materials?\b/gi],
  ['fixedFee', /\bfixed[\s-](?:fee|price|bid|cost)\b/gi],
  ['retainer', /\b(?:monthly\s+)?retainer\b/gi],
]

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
  }
  spans.sort((a, b) => a.span.start - b.span.start)
  return { flags, spans }
}
