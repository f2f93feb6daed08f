import type { Scanner } from './scanner.js'
import type { Percentage, PercentageRole } from './schema.js'

const PERCENT = /(?<![\p{L}\p{N}.])(\d{1,3}(?:\.\d+)?)\s*(?:%|percent\b|per\s*cent\b|pc\b)/giu

const ROLE_WORDS: readonly [PercentageRole, string][] = [
  [
    'win_probability',
    String.raw`win(?:ning)?\s+(?:probability|chance|likelihood|rate)|probability(?:\s+of\s+winning)?|chance(?:s)?(?:\s+(?:of\s+winning|to\s+win))?|likel(?:y|ihood)(?:\s+to\s+win)?`,
  ],
  [
    'margin_floor',
    String.raw`(?:minimum|min\.?|floor)\s+(?:gross\s+)?margin|margin\s+floor|(?:keep|hold|stay|protect)(?:ing)?\s+(?:the\s+)?margin\s+(?:above|over|at\s+least|>=?)|(?:don['’]?t|do\s+not|never|without)\s+(?:go(?:ing)?|drop(?:ping)?|fall(?:ing)?)\s+below|margin\s+(?:must\s+|should\s+)?(?:not\s+(?:go\s+|drop\s+|fall\s+)?below|(?:stay\s+)?above|of\s+at\s+least|at\s+least|>=?)|no\s+less\s+than|at\s+least`,
  ],
  ['margin', String.raw`(?:gross\s+|target\s+|net\s+)?margin|gm`],
  ['markup', String.raw`mark[\s-]?up`],
  ['discount', 'discount(?:ed)?|off|reduction'],
  ['contingency', String.raw`contingency|(?:risk\s+)?buffer|padding`],
  ['utilisation', 'utili[sz]ation|utili[sz]ed|allocat(?:ion|ed)|capacity|fte'],
]

const AFTER = ROLE_WORDS.map(
  ([role, words]) => [role, new RegExp(String.raw`^\s*(?:${words})\b`, 'i')] as const,
)
// "margin of 30%", "win probability 60%", "discount: 5%", "at a 30% margin" (the article is left as filler).
const BEFORE = ROLE_WORDS.map(
  ([role, words]) =>
    [
      role,
      new RegExp(
        String.raw`\b(?:${words})(?:\s+(?:target|rate|level))?\s*(?:of|at|is|=|:|to|around|about|~|-)?\s*(?:of\s+)?$`,
        'i',
      ),
    ] as const,
)

export function extractPercentages(scanner: Scanner): Percentage[] {
  const found: Percentage[] = []
  for (const match of scanner.matches(PERCENT)) {
    const value = Number(match[1])
    let start = match.index
    let end = match.index + match[0].length
    let role: PercentageRole = 'unspecified'
    const masked = scanner.masked
    // The role word must sit in the same clause, so stop at punctuation and claimed text.
    const after = /^[^,;.!?+\uE000]*/.exec(masked.slice(end))?.[0] ?? ''
    const before = /[^,;.!?+\uE000]*$/.exec(masked.slice(0, start))?.[0] ?? ''
    const afterHit = AFTER.map(([r, re]) => [r, re.exec(after)] as const).find(([, m]) => m)
    const floorBefore = BEFORE.find(([r]) => r === 'margin_floor')?.[1].exec(before)
    if (afterHit?.[1] && afterHit[0] === 'margin' && floorBefore) {
      // "don't go below 20% margin": the words before say it is a floor.
      role = 'margin_floor'
      start -= floorBefore[0].length
      end += afterHit[1][0].length
    } else if (afterHit?.[1]) {
      role = afterHit[0]
      end += afterHit[1][0].length
    } else {
      const beforeHit = BEFORE.map(([r, re]) => [r, re.exec(before)] as const).find(([, m]) => m)
      if (beforeHit?.[1]) {
        role = beforeHit[0]
        start -= beforeHit[1][0].length
      }
    }
    found.push({ value, role, span: scanner.consume(start, end) })
  }
  return found
}
