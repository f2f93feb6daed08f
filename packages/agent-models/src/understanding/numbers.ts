/** Number words and exact decimal arithmetic for the request parser. */

const UNITS: Record<string, number> = {
  zero: 0,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
}

const TENS: Record<string, number> = {
  twenty: 20,
  thirty: 30,
  forty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
}

const PHRASES: Record<string, number> = {
  a: 1,
  an: 1,
  'a couple of': 2,
  'couple of': 2,
  'a dozen': 12,
  dozen: 12,
}

const unitWords = Object.keys(UNITS).join('|')
const tensWords = Object.keys(TENS).join('|')

/** Regex source for a number written in words ("six", "twenty-four"), without "a"/"an". */
export const NUMBER_WORD = `(?:(?:${tensWords})(?:[\\s-](?:${Object.keys(UNITS).slice(1, 10).join('|')}))?|${unitWords}|a dozen|dozen|a couple of|couple of)`

/** Regex source for a number in digits (thousands separators allowed) or words. */
export const NUMBER = `(?:\\d{1,3}(?:,\\d{3})+(?:\\.\\d+)?|\\d+(?:\\.\\d+)?|${NUMBER_WORD})`

/** Like NUMBER but also "a"/"an" ("a month", "an hour"). */
export const NUMBER_OR_ARTICLE = `(?:${NUMBER}|an?)`

/** Parses digits or number words; returns null for anything else. */
export function parseNumber(raw: string): number | null {
  const text = raw.trim().toLowerCase().replace(/\s+/g, ' ')
  if (/^\d{1,3}(,\d{3})+(\.\d+)?$|^\d+(\.\d+)?$/.test(text)) return Number(text.replaceAll(',', ''))
  if (text in PHRASES) return PHRASES[text] ?? null
  if (text in UNITS) return UNITS[text] ?? null
  if (text in TENS) return TENS[text] ?? null
  const compound = /^([a-z]+)[\s-]([a-z]+)$/.exec(text)
  if (compound) {
    const tens = TENS[compound[1] ?? '']
    const unit = UNITS[compound[2] ?? '']
    if (tens !== undefined && unit !== undefined && unit > 0 && unit < 10) return tens + unit
  }
  return null
}

/**
 * Converts a decimal string ("1.25", "150", "1,500.5") times 10^exponent to an integer without floating
 * point error, rounding half away from zero. Returns null when the input is not a plain decimal.
 */
export function scaleDecimal(raw: string, exponent: number): number | null {
  const text = raw.replaceAll(',', '')
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text)
  if (!match) return null
  const whole = match[1] ?? '0'
  const fraction = match[2] ?? ''
  const kept = fraction.slice(0, exponent).padEnd(exponent, '0')
  let value = BigInt(whole + kept)
  const nextDigit = fraction.charAt(exponent)
  if (nextDigit !== '' && Number(nextDigit) >= 5) value += 1n
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) return null
  return Number(value)
}
