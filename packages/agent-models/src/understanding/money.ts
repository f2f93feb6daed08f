import type { RequestContext } from '../context.js'
import { scaleDecimal } from './numbers.js'
import type { Scanner } from './scanner.js'
import type { Money } from './schema.js'

const DOLLAR_CURRENCIES = new Set(['USD', 'AUD', 'CAD', 'NZD', 'SGD', 'HKD'])
const ZERO_DECIMAL_CURRENCIES = new Set(['JPY', 'KRW'])
const CODES = 'USD|EUR|GBP|AUD|CAD|NZD|CHF|SEK|NOK|DKK|JPY|INR|SGD|HKD|ZAR|PLN|CZK'

const SYMBOLS: Record<string, string> = {
  us$: 'USD',
  a$: 'AUD',
  au$: 'AUD',
  c$: 'CAD',
  ca$: 'CAD',
  nz$: 'NZD',
  s$: 'SGD',
  hk$: 'HKD',
  '€': 'EUR',
  '£': 'GBP',
  '¥': 'JPY',
  '₹': 'INR',
}

const WORDS: Record<string, string> = {
  euro: 'EUR',
  euros: 'EUR',
  pound: 'GBP',
  pounds: 'GBP',
  'pounds sterling': 'GBP',
  quid: 'GBP',
  rupees: 'INR',
  francs: 'CHF',
}

const AMOUNT = String.raw`\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?`
const MULTIPLIER = 'k|K|thousand|m|M|mm|MM|mn|million|bn|billion'
const SYMBOL = String.raw`US\$|A\$|AU\$|C\$|CA\$|NZ\$|S\$|HK\$|\$|€|£|¥|₹`
const WORD = String.raw`dollars?|bucks|euros?|pounds(?:\s+sterling)?|pound|quid|rupees|francs`
const PER = String.raw`(?:\s*(?:/|per\s+|an?\s+)(?<per>h|hr|hour|d|day)\b)?`

const PATTERNS: readonly RegExp[] = [
  // $150k, €80,000, US$ 1.2m, $150k USD
  new RegExp(
    String.raw`(?<symbol>${SYMBOL})\s?(?<amount>${AMOUNT})(?:\s?(?<mult>${MULTIPLIER})\b)?(?:\s*(?<code>${CODES})\b)?${PER}`,
    'gd',
  ),
  // USD 150,000 / EUR 80k
  new RegExp(
    String.raw`\b(?<code>${CODES})\s?(?<amount>${AMOUNT})(?:\s?(?<mult>${MULTIPLIER})\b)?${PER}`,
    'gd',
  ),
  // 150000 USD, 150k euros, 80,000 dollars
  new RegExp(
    String.raw`(?<![\p{L}\p{N}.,])(?<amount>${AMOUNT})(?:\s?(?<mult>${MULTIPLIER}))?\s*(?:(?<code>${CODES})|(?<word>${WORD}))\b${PER}`,
    'gdu',
  ),
  // "budget 150k", "budget of 150,000": no currency, but the keyword makes it money.
  new RegExp(
    String.raw`(?<=\b(?:budget|price|fee|cost|value|worth|cap|rate|spend)(?:\s+(?:of|is|at|around|about|=|:))?\s*)(?<amount>${AMOUNT})(?:\s?(?<mult>${MULTIPLIER})\b)?(?![\d.,]|\s*(?:h|hrs?|hours?)\b)${PER}`,
    'gdi',
  ),
  // "150k budget"
  new RegExp(
    String.raw`(?<![\p{L}\p{N}.,])(?<amount>${AMOUNT})\s?(?<mult>k|K|m|M|million|thousand)\b(?=\s+budget\b)`,
    'gdu',
  ),
]

const MULTIPLIER_EXPONENT: Record<string, number> = {
  k: 3,
  thousand: 3,
  m: 6,
  mm: 6,
  mn: 6,
  million: 6,
  bn: 9,
  billion: 9,
}

const ROLE_BEFORE: readonly [Money['role'], RegExp][] = [
  [
    'budget',
    /\b(?:budget(?:ed)?|cap(?:ped)?|max(?:imum)?|up\s+to|not\s+(?:to\s+)?exceed(?:ing)?|spend|ceiling)(?:\s+(?:of|is|at|around|about)|\s*[=:])?\s*$/i,
  ],
  ['rate', /\b(?:(?:bill|day|hourly|blended)\s+)?rates?(?:\s+(?:of|is|at)|\s*[=:])?\s*$/i],
  [
    'price',
    /\b(?:price[ds]?|priced\s+at|fee|fixed\s+fee|total|valued\s+at|value(?:\s+of)?|worth|deal\s+size|cost(?:s|ing)?)(?:\s+(?:of|is|at)|\s*[=:])?\s*$/i,
  ],
]

function currencyFor(groups: Record<string, string | undefined>, context: RequestContext): string | null {
  if (groups.code) return groups.code.toUpperCase()
  const symbol = groups.symbol?.toLowerCase()
  if (symbol === '$' || groups.word?.toLowerCase().startsWith('dollar') || groups.word === 'bucks') {
    // "$" means the organisation's own dollar when it has one (an Australian firm's "$150k" is AUD).
    return context.currency && DOLLAR_CURRENCIES.has(context.currency) ? context.currency : 'USD'
  }
  if (symbol) return SYMBOLS[symbol] ?? null
  if (groups.word) return WORDS[groups.word.toLowerCase().replace(/\s+/g, ' ')] ?? null
  return context.currency ?? null
}

export function extractMoney(scanner: Scanner, context: RequestContext, notes: string[]): Money[] {
  const found: Money[] = []
  for (const pattern of PATTERNS) {
    for (const match of scanner.matches(pattern)) {
      const groups = match.groups ?? {}
      const currency = currencyFor(groups, context)
      const minorExponent = currency && ZERO_DECIMAL_CURRENCIES.has(currency) ? 0 : 2
      const multExponent = groups.mult ? (MULTIPLIER_EXPONENT[groups.mult.toLowerCase()] ?? 0) : 0
      const amountMinor = scaleDecimal(groups.amount ?? '', multExponent + minorExponent)
      if (amountMinor === null) continue
      let start = match.index
      const end = match.index + match[0].length
      const perWord = groups.per?.toLowerCase()
      const per = perWord ? (perWord.startsWith('h') ? 'hour' : 'day') : null
      let role: Money['role'] = per ? 'rate' : 'unspecified'
      const before = /[^,;.!?+\uE000]*$/.exec(scanner.masked.slice(0, start))?.[0] ?? ''
      // The keyword may already belong to a flag ("fixed price of €45k"): then it sets the role only.
      const original = /[^,;.!?+]*$/.exec(scanner.text.slice(0, start))?.[0] ?? ''
      for (const [candidate, re] of ROLE_BEFORE) {
        const hit = re.exec(before)
        if (hit) {
          role = per ? 'rate' : candidate
          start -= hit[0].length
          break
        }
        if (re.test(original)) {
          role = per ? 'rate' : candidate
          break
        }
      }
      if (role === 'unspecified' && /^\s*budget\b/i.test(scanner.masked.slice(end))) role = 'budget'
      const span = scanner.consume(start, role === 'budget' ? end + budgetSuffix(scanner, end) : end)
      if (!currency) notes.push(`No currency given for "${span.text}"; the amount is kept without one.`)
      found.push({ amountMinor, currency, role, per, span })
    }
  }
  return found.sort((a, b) => a.span.start - b.span.start)
}

/** Length of a trailing " budget" after "150k", so the word is claimed with the amount. */
function budgetSuffix(scanner: Scanner, end: number): number {
  return /^\s*budget\b/i.exec(scanner.masked.slice(end))?.[0].length ?? 0
}

export function formatMoney(money: Pick<Money, 'amountMinor' | 'currency'>): string {
  const exponent = money.currency && ZERO_DECIMAL_CURRENCIES.has(money.currency) ? 0 : 2
  const whole = Math.trunc(money.amountMinor / 10 ** exponent)
  const fraction = money.amountMinor % 10 ** exponent
  const grouped = String(whole).replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  const amount = exponent === 0 ? grouped : `${grouped}.${String(fraction).padStart(exponent, '0')}`
  return money.currency ? `${money.currency} ${amount}` : amount
}
