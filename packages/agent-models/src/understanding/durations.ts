import { NUMBER_OR_ARTICLE, parseNumber } from './numbers.js'
import type { Scanner } from './scanner.js'
import type { Duration } from './schema.js'

const DURATION = new RegExp(
  String.raw`\b(?:(?:for|over|lasting|spanning|taking|across)\s+)?(?:(?:about|around|roughly|approximately|approx\.?|~)\s*)?(?<num>${NUMBER_OR_ARTICLE}|\d+(?:\.\d+)?)[\s-]*(?<kind>(?:calendar|working|business)[\s-]+)?(?<unit>days?|weeks?|wks?|months?|mos?|years?|yrs?|fortnights?)\b(?:[\s-]+(?:long|duration))?`,
  'gdi',
)

const WEEKS_PER: Record<Duration['unit'], number> = { day: 1 / 7, week: 1, month: 52 / 12, year: 52 }

function unitOf(raw: string): { unit: Duration['unit']; factor: number } {
  const u = raw.toLowerCase()
  if (u.startsWith('fortnight')) return { unit: 'week', factor: 2 }
  if (u.startsWith('d')) return { unit: 'day', factor: 1 }
  if (u.startsWith('w')) return { unit: 'week', factor: 1 }
  if (u.startsWith('m')) return { unit: 'month', factor: 1 }
  return { unit: 'year', factor: 1 }
}

/** Lengths of time: "12-week", "3 months", "six weeks", "for 10 working days". */
export function extractDurations(scanner: Scanner): Duration[] {
  const found: Duration[] = []
  for (const match of scanner.matches(DURATION)) {
    const groups = match.groups ?? {}
    const number = parseNumber(groups.num ?? '')
    if (number === null || number <= 0) continue
    const before = scanner.masked.slice(0, match.index)
    // "40 hours a week" and "per month" are rates, not lengths of time.
    if (/^an?$/i.test(groups.num ?? '') && /(?:\b(?:hours?|hrs?|h|days?)|%|\bper)\s*$/i.test(before)) continue
    const { unit, factor } = unitOf(groups.unit ?? '')
    const value = number * factor
    const working = /working|business/i.test(groups.kind ?? '')
    const weeks = unit === 'day' && working ? value / 5 : value * WEEKS_PER[unit]
    found.push({
      value,
      unit,
      calendar: working ? 'working' : 'calendar',
      weeks: Math.round(weeks * 100) / 100,
      span: scanner.consume(match.index, match.index + match[0].length),
    })
  }
  return found
}
