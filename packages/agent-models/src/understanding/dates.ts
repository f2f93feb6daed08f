import type { RequestContext } from '../context.js'
import {
  addDays,
  addMonths,
  type CalendarDate,
  compareDates,
  daysInMonth,
  endOfMonth,
  formatIsoDate,
  isoWeekday,
  isValidDate,
  parseIsoDate,
  startOfMonth,
  startOfWeek,
} from './calendar.js'
import { NUMBER_OR_ARTICLE, parseNumber } from './numbers.js'
import type { Scanner } from './scanner.js'
import type { DateMention } from './schema.js'

/**
 * Date expressions in requests, resolved against an injected `today` (never the clock):
 * absolute dates ("5 Jan", "2027-01-05", "05/01/2027", "January 5th, 2027", "end of March", "Q1 2027"),
 * relative ones ("tomorrow", "next Monday", "next month", "in two weeks", "over the next 3 months") and
 * ranges ("from 5 Jan to 31 Mar", "between ... and ..."). A date with no year is the next such date on or
 * after today. "next Monday", "this Friday" and a bare "Monday" all mean the first such weekday after today.
 */

const MONTHS: readonly [number, string][] = [
  [1, 'jan(?:uary)?'],
  [2, 'feb(?:ruary)?'],
  [3, 'mar(?:ch)?'],
  [4, 'apr(?:il)?'],
  [5, 'may'],
  [6, 'june?'],
  [7, 'july?'],
  [8, 'aug(?:ust)?'],
  [9, 'sep(?:t(?:ember)?)?'],
  [10, 'oct(?:ober)?'],
  [11, 'nov(?:ember)?'],
  [12, 'dec(?:ember)?'],
]
const MONTH = `(?<month>${MONTHS.map(([, re]) => re).join('|')})\\.?`
const WEEKDAYS = ['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday']
const WEEKDAY = `(?<weekday>${WEEKDAYS.join('|')}|mon|tues?|wed|thu(?:rs?)?|fri)`
const DAY = '(?<day>\\d{1,2})(?:st|nd|rd|th)?'
const YEAR = '(?<year>\\d{4})'
const UNIT = '(?<unit>days?|weeks?|wks?|months?|mos?|years?|yrs?)'

function monthNumber(text: string): number {
  const lower = text.toLowerCase().replace(/\.$/, '')
  return MONTHS.find(([, re]) => new RegExp(`^(?:${re})$`).test(lower))?.[0] ?? 0
}

function weekdayNumber(text: string): number {
  const lower = text.toLowerCase()
  return WEEKDAYS.findIndex((w) => w.startsWith(lower.slice(0, 3))) + 1
}

type Resolved = { from: CalendarDate; to: CalendarDate } | null

interface Candidate {
  start: number
  end: number
  precision: DateMention['precision']
  relative: boolean
  approximate: boolean
  /** True when the year was inferred (only then is forward-rolling allowed). */
  yearInferred: boolean
  resolve: (today: CalendarDate | null) => Resolved
}

/** Next occurrence of month/day on or after today; null without a today. */
function forwardYear(today: CalendarDate | null, month: number, day: number): number | null {
  if (!today) return null
  const thisYear = { year: today.year, month, day: Math.min(day, daysInMonth(today.year, month)) }
  return compareDates(thisYear, today) >= 0 ? today.year : today.year + 1
}

function day(year: number | null, month: number, dayOfMonth: number): Resolved {
  if (year === null) return null
  const date = { year, month, day: dayOfMonth }
  return isValidDate(date) ? { from: date, to: date } : null
}

function monthRange(year: number | null, month: number): Resolved {
  if (year === null) return null
  const first = { year, month, day: 1 }
  return { from: first, to: endOfMonth(first) }
}

function addUnits(date: CalendarDate, amount: number, unit: string): CalendarDate {
  const u = unit.toLowerCase()
  if (u.startsWith('d')) return addDays(date, amount)
  if (u.startsWith('w')) return addDays(date, amount * 7)
  if (u.startsWith('m')) return addMonths(date, amount)
  return addMonths(date, amount * 12)
}

interface Recognizer {
  pattern: RegExp
  build: (
    groups: Record<string, string | undefined>,
    match: RegExpExecArray,
    masked: string,
  ) => Omit<Candidate, 'start' | 'end'> | null
}

function recognizers(locale: 'en-GB' | 'en-US'): Recognizer[] {
  const absolute = (
    precision: DateMention['precision'],
    approximate: boolean,
    yearInferred: boolean,
    resolve: Candidate['resolve'],
  ) => ({ precision, relative: false, approximate, yearInferred, resolve })
  const relative = (precision: DateMention['precision'], resolve: Candidate['resolve']) => ({
    precision,
    relative: true,
    approximate: false,
    yearInferred: false,
    resolve,
  })
  return [
    // 2027-01-05
    {
      pattern: /\b(?<year>\d{4})-(?<m>\d{1,2})-(?<d>\d{1,2})\b/dg,
      build: (g) => absolute('day', false, false, () => day(Number(g.year), Number(g.m), Number(g.d))),
    },
    // 05/01/2027, 5.1.2027 (day first unless the context says en-US)
    {
      pattern: /(?<![\d/.])(?<a>\d{1,2})[/.](?<b>\d{1,2})[/.](?<year>\d{4}|\d{2})(?![\d/.])/dg,
      build: (g) => {
        const [d, m] = locale === 'en-US' ? [Number(g.b), Number(g.a)] : [Number(g.a), Number(g.b)]
        const y = Number(g.year) < 100 ? 2000 + Number(g.year) : Number(g.year)
        return absolute('day', false, false, () => day(y, m, d))
      },
    },
    // 31/3 (only after a date word, so "24/7 support" is left alone)
    {
      pattern:
        /(?<=\b(?:on|from|by|until|till|starting|start|due|before|after|ending|deadline)\s+)(?<a>\d{1,2})\/(?<b>\d{1,2})(?![\d/])/dgi,
      build: (g) => {
        const [d, m] = locale === 'en-US' ? [Number(g.b), Number(g.a)] : [Number(g.a), Number(g.b)]
        return absolute('day', false, true, (today) => day(forwardYear(today, m, d), m, d))
      },
    },
    // 5 Jan, 1st of March 2027, the 3rd of May
    {
      pattern: new RegExp(
        `\\b(?:the\\s+)?${DAY}(?:\\s+of)?[\\s-]+${MONTH}(?![\\p{L}])(?:,?\\s+${YEAR}\\b)?`,
        'gdiu',
      ),
      build: (g) => {
        const m = monthNumber(g.month ?? '')
        const d = Number(g.day)
        if (g.year) return absolute('day', false, false, () => day(Number(g.year), m, d))
        return absolute('day', false, true, (today) => day(forwardYear(today, m, d), m, d))
      },
    },
    // Jan 5, January 5th, 2027
    {
      pattern: new RegExp(
        `\\b${MONTH}\\s+${DAY}(?![\\d:])(?!\\s*(?:h|hrs?|hours?|%)\\b)(?:,?\\s+${YEAR}\\b)?`,
        'gdiu',
      ),
      build: (g) => {
        const m = monthNumber(g.month ?? '')
        const d = Number(g.day)
        if (g.year) return absolute('day', false, false, () => day(Number(g.year), m, d))
        return absolute('day', false, true, (today) => day(forwardYear(today, m, d), m, d))
      },
    },
    // end of March, early/mid/late February, beginning of June 2027
    {
      pattern: new RegExp(
        `\\b(?<qualifier>(?:the\\s+)?(?:end|beginning|start|middle)\\s+of|early|mid|late)[\\s-]+${MONTH}(?![\\p{L}])(?:\\s+${YEAR}\\b)?`,
        'gdiu',
      ),
      build: (g) => {
        const m = monthNumber(g.month ?? '')
        const q = (g.qualifier ?? '').toLowerCase()
        const target = (today: CalendarDate | null) =>
          g.year ? Number(g.year) : forwardYear(today, m, daysInMonth(2001, m))
        if (/end/.test(q)) {
          return absolute('day', false, !g.year, (today) => {
            const y = target(today)
            return y === null ? null : day(y, m, daysInMonth(y, m))
          })
        }
        const dayOfMonth = /beginning|start|early/.test(q) ? 1 : /mid|middle/.test(q) ? 15 : 21
        return absolute('day', dayOfMonth !== 1 || /early/.test(q), !g.year, (today) =>
          day(target(today), m, dayOfMonth),
        )
      },
    },
    // March 2027, Jan 2027
    {
      pattern: new RegExp(`\\b${MONTH}\\s+${YEAR}\\b`, 'gdiu'),
      build: (g) =>
        absolute('month', false, false, () => monthRange(Number(g.year), monthNumber(g.month ?? ''))),
    },
    // Q1 2027, Q3
    {
      pattern: /\bQ(?<q>[1-4])(?:\s+(?<year>\d{4}))?\b/dg,
      build: (g) => {
        const q = Number(g.q)
        return {
          precision: 'quarter',
          relative: !g.year,
          approximate: false,
          yearInferred: !g.year,
          resolve: (today) => {
            const firstMonth = (q - 1) * 3 + 1
            const year = g.year
              ? Number(g.year)
              : forwardYear(today, firstMonth + 2, daysInMonth(2001, firstMonth + 2))
            if (year === null) return null
            return {
              from: { year, month: firstMonth, day: 1 },
              to: endOfMonth({ year, month: firstMonth + 2, day: 1 }),
            }
          },
        }
      },
    },
    // today, tomorrow, the day after tomorrow
    {
      pattern: /\b(?<word>today|tomorrow|the\s+day\s+after\s+tomorrow)\b/dgi,
      build: (g) => {
        const offset = /after/i.test(g.word ?? '') ? 2 : /tomorrow/i.test(g.word ?? '') ? 1 : 0
        return relative('day', (today) =>
          today ? { from: addDays(today, offset), to: addDays(today, offset) } : null,
        )
      },
    },
    // over the next 3 months, the next two weeks, within the next 30 days
    {
      pattern: new RegExp(
        `\\b(?:(?:over|during|in|within|for)\\s+)?(?:the\\s+)?(?:next|coming|following)\\s+(?<n>${NUMBER_OR_ARTICLE})\\s+${UNIT}\\b`,
        'gdi',
      ),
      build: (g) => {
        const n = parseNumber(g.n ?? '')
        if (n === null || !Number.isInteger(n) || n <= 0) return null
        const precision = (g.unit ?? '').toLowerCase().startsWith('d') ? 'day' : 'week'
        return relative(precision, (today) =>
          today ? { from: today, to: addDays(addUnits(today, n, g.unit ?? ''), -1) } : null,
        )
      },
    },
    // in two weeks, in 3 months' time, two weeks from now
    {
      pattern: new RegExp(
        `\\bin\\s+(?<n>${NUMBER_OR_ARTICLE})\\s+${UNIT}(?:['’]?\\s+time)?\\b|\\b(?<n2>${NUMBER_OR_ARTICLE})\\s+(?<unit2>days?|weeks?|months?|years?)\\s+from\\s+(?:now|today)\\b`,
        'gdi',
      ),
      build: (g, match, masked) => {
        const n = parseNumber(g.n ?? g.n2 ?? '')
        const unit = g.unit ?? g.unit2 ?? ''
        if (n === null || n <= 0) return null
        // "deliver in 12 weeks" is a duration; only "starting in 2 weeks" / "2 weeks from now" is a date.
        const isFromNow = Boolean(g.n2)
        const before = masked.slice(0, match.index)
        if (
          !isFromNow &&
          !/(?:start(?:s|ing)?|begin(?:s|ning)?|commenc(?:e|es|ing)|kick(?:s|ing)?[\s-]?off|from)\s*$/i.test(
            before,
          )
        )
          return null
        return relative('day', (today) => {
          if (!today) return null
          const date = addUnits(today, n, unit)
          return { from: date, to: date }
        })
      },
    },
    // end of the month, end of next month, end of the year
    {
      pattern: /\b(?:the\s+)?end\s+of\s+(?<which>the|this|next)\s+(?<period>month|year|quarter)\b/dgi,
      build: (g) => {
        const next = /next/i.test(g.which ?? '')
        const period = (g.period ?? '').toLowerCase()
        return relative('day', (today) => {
          if (!today) return null
          let date: CalendarDate
          if (period === 'month') date = endOfMonth(addMonths(startOfMonth(today), next ? 1 : 0))
          else if (period === 'quarter') {
            const quarterEnd = Math.floor((today.month - 1) / 3) * 3 + 3
            date = endOfMonth(addMonths({ year: today.year, month: quarterEnd, day: 1 }, next ? 3 : 0))
          } else date = { year: today.year + (next ? 1 : 0), month: 12, day: 31 }
          return { from: date, to: date }
        })
      },
    },
    // next/this/the following week|month|quarter|year
    {
      pattern:
        /\b(?<which>next|this|the\s+following|the\s+coming|coming)\s+(?<period>week|month|quarter|year)\b/dgi,
      build: (g) => {
        const next = !/^this$/i.test(g.which ?? '')
        const period = (g.period ?? '').toLowerCase()
        const precision = period as DateMention['precision']
        return relative(precision, (today) => {
          if (!today) return null
          if (period === 'week') {
            const from = addDays(startOfWeek(today), next ? 7 : 0)
            return { from, to: addDays(from, 6) }
          }
          if (period === 'month') {
            const from = startOfMonth(addMonths(startOfMonth(today), next ? 1 : 0))
            return { from, to: endOfMonth(from) }
          }
          if (period === 'quarter') {
            const quarterStart = {
              year: today.year,
              month: Math.floor((today.month - 1) / 3) * 3 + 1,
              day: 1,
            }
            const from = addMonths(quarterStart, next ? 3 : 0)
            return { from, to: endOfMonth(addMonths(from, 2)) }
          }
          const year = today.year + (next ? 1 : 0)
          return { from: { year, month: 1, day: 1 }, to: { year, month: 12, day: 31 } }
        })
      },
    },
    // next Monday, this Friday, on Tuesday
    {
      pattern: new RegExp(`\\b(?:(?<which>next|this|coming|on)\\s+)?${WEEKDAY}\\b`, 'gdi'),
      build: (g) => {
        const weekday = weekdayNumber(g.weekday ?? '')
        // A bare abbreviation ("wed", "fri") is too easily something else; require a lead word for those.
        if (!g.which && (g.weekday ?? '').length <= 4) return null
        return relative('day', (today) => {
          if (!today) return null
          const ahead = (weekday - isoWeekday(today) + 7) % 7 || 7
          const date = addDays(today, ahead)
          return { from: date, to: date }
        })
      },
    },
    // January, in March, from May (bare month names; "may"/"march" need a date word to count)
    {
      pattern: new RegExp(`\\b${MONTH}(?![\\p{L}])`, 'gdiu'),
      build: (g, match, masked) => {
        const m = monthNumber(g.month ?? '')
        const word = (g.month ?? '').toLowerCase()
        const dateWordBefore =
          /\b(?:in|from|of|until|till|by|since|through|during|starting|start|before|after)\s+$/i.test(
            masked.slice(0, match.index),
          )
        if ((word === 'may' || word === 'march' || word === 'mar') && !dateWordBefore) return null
        return absolute('month', false, true, (today) =>
          monthRange(forwardYear(today, m, daysInMonth(2001, m)), m),
        )
      },
    },
  ]
}

const START_WORDS =
  /\b(?:starting(?:\s+(?:on|from|in))?|starts?(?:\s+(?:on|from|in))?|from|beginning|begins?(?:\s+(?:on|in))?|commencing|kick(?:ing|s)?[\s-]?off(?:\s+(?:on|in))?|as\s+of|effective)\s*$/i
const END_WORDS =
  /\b(?:until|till|to|by|due(?:\s+(?:on|by))?|ending(?:\s+(?:on|by))?|ends?(?:\s+(?:on|by))?|deadline(?:\s+(?:of|is))?|finish(?:ing)?(?:\s+by)?|deliver(?:ed)?\s+by|go(?:ing)?[\s-]live(?:\s+(?:on|by))?|launch(?:ing)?(?:\s+(?:on|by))?|before|no\s+later\s+than)\s*$/i
const RANGE_JOINER = /^\s*(?:-|–|—|to|until|till|through|thru)\s*$/i

export function extractDates(scanner: Scanner, context: RequestContext, notes: string[]): DateMention[] {
  const today = context.today ? parseIsoDate(context.today) : null
  const candidates: Candidate[] = []
  for (const recognizer of recognizers(context.locale ?? 'en-GB')) {
    for (const match of scanner.matches(recognizer.pattern)) {
      const built = recognizer.build(match.groups ?? {}, match, scanner.masked)
      if (!built) continue
      candidates.push({ ...built, start: match.index, end: match.index + match[0].length })
      scanner.consume(match.index, match.index + match[0].length)
    }
  }
  candidates.sort((a, b) => a.start - b.start)

  const mentions: DateMention[] = []
  for (let i = 0; i < candidates.length; i++) {
    const first = candidates[i] as Candidate
    const second = candidates[i + 1]
    const between = second ? scanner.text.slice(first.end, second.start) : ''
    const textBefore = scanner.text.slice(0, first.start)
    const isBetween = second && /^\s*and\s*$/i.test(between) && /\bbetween\s*$/i.test(textBefore)
    if (second && (RANGE_JOINER.test(between) || isBetween)) {
      mentions.push(range(scanner, first, second, today, notes))
      i++
      continue
    }
    mentions.push(single(scanner, first, today, notes))
  }
  return mentions
}

function roleAndStart(scanner: Scanner, start: number): { role: DateMention['role']; start: number } {
  const before = scanner.text.slice(Math.max(0, start - 40), start)
  const startHit = START_WORDS.exec(before)
  if (startHit) return { role: 'start', start: start - startHit[0].length }
  const endHit = END_WORDS.exec(before)
  if (endHit) return { role: 'end', start: start - endHit[0].length }
  const between = /\bbetween\s*$/i.exec(before)
  if (between) return { role: 'period', start: start - between[0].length }
  return { role: 'unspecified', start }
}

function resolveOrNote(
  candidate: Candidate,
  text: string,
  today: CalendarDate | null,
  notes: string[],
): Resolved {
  const resolved = candidate.resolve(today)
  if (!resolved) {
    notes.push(
      today
        ? `"${text}" is not a valid date.`
        : `"${text}" needs today's date to be resolved, and the request context gave none.`,
    )
  } else if (candidate.yearInferred && today) {
    notes.push(`"${text}" has no year; I took the next one: ${formatIsoDate(resolved.from)}.`)
  }
  return resolved
}

function single(
  scanner: Scanner,
  candidate: Candidate,
  today: CalendarDate | null,
  notes: string[],
): DateMention {
  const { role, start } = roleAndStart(scanner, candidate.start)
  const span = scanner.consume(start, candidate.end)
  const resolved = resolveOrNote(candidate, scanner.text.slice(candidate.start, candidate.end), today, notes)
  return {
    role,
    from: resolved ? formatIsoDate(resolved.from) : null,
    to: resolved ? formatIsoDate(resolved.to) : null,
    precision: candidate.precision,
    relative: candidate.relative,
    approximate: candidate.approximate,
    span,
  }
}

function range(
  scanner: Scanner,
  first: Candidate,
  second: Candidate,
  today: CalendarDate | null,
  notes: string[],
): DateMention {
  const { start } = roleAndStart(scanner, first.start)
  const span = scanner.consume(start, second.end)
  const from = resolveOrNote(first, scanner.text.slice(first.start, first.end), today, notes)
  let to = second.resolve(today)
  // "5 Dec to 20 Jan": an end without a year that falls before the start is in the following year.
  if (from && to && second.yearInferred && compareDates(to.to, from.from) < 0) {
    to = { from: addMonths(to.from, 12), to: addMonths(to.to, 12) }
  }
  if (!to) notes.push(`"${scanner.text.slice(second.start, second.end)}" could not be resolved to a date.`)
  return {
    role: 'period',
    from: from ? formatIsoDate(from.from) : null,
    to: to ? formatIsoDate(to.to) : null,
    precision: first.precision === 'day' && second.precision === 'day' ? 'day' : first.precision,
    relative: first.relative || second.relative,
    approximate: first.approximate || second.approximate,
    span,
  }
}
