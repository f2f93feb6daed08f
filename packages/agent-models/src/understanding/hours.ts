import { NUMBER_OR_ARTICLE, parseNumber } from './numbers.js'
import type { Scanner } from './scanner.js'
import type { HoursLine, RoleMention } from './schema.js'

const HOURS = new RegExp(
  String.raw`(?<![\p{L}\p{N}.])(?<num>${NUMBER_OR_ARTICLE}|\d+(?:\.\d+)?)\s*(?:person[\s-]|man[\s-])?(?:h|hrs?|hours?)\b(?:\s*(?:a|an|per|/|each)\s*(?<per>day|week|wk|month))?`,
  'gdiu',
)

// "3 days a week", "2 days per week": a working day is 8 hours.
const DAYS_PER_WEEK = new RegExp(
  String.raw`(?<![\p{L}\p{N}.])(?<num>${NUMBER_OR_ARTICLE}|\d+(?:\.\d+)?)\s*(?:days?|d)\s*(?:a|an|per|/|each)\s*(?:week|wk)\b`,
  'gdiu',
)
export const HOURS_PER_DAY = 8

// "120-160-240h", "120/160/240 hours" (optimistic, likely, pessimistic) and "100-140h" (a range: likely midway).
const THREE_POINT =
  /(?<![\p{L}\p{N}.])(?<o>\d+(?:\.\d+)?)\s*[-–/]\s*(?<m>\d+(?:\.\d+)?)(?:\s*[-–/]\s*(?<p>\d+(?:\.\d+)?))?\s*(?:h|hrs?|hours?)\b/dgiu

/** Effort figures ("200h", "120 hours", "an hour"); roles are attached later by `attachRoles`. */
export function extractHours(scanner: Scanner): Omit<HoursLine, 'role'>[] {
  const found: Omit<HoursLine, 'role'>[] = []
  for (const match of scanner.matches(THREE_POINT)) {
    const o = Number(match.groups?.o)
    const second = Number(match.groups?.m)
    const third = match.groups?.p === undefined ? null : Number(match.groups.p)
    const range =
      third === null
        ? { optimistic: o, likely: (o + second) / 2, pessimistic: second }
        : { optimistic: o, likely: second, pessimistic: third }
    if (!(range.optimistic <= range.likely && range.likely <= range.pessimistic && range.likely > 0)) continue
    found.push({
      hours: range.likely,
      per: null,
      range,
      span: scanner.consume(match.index, match.index + match[0].length),
    })
  }
  for (const match of scanner.matches(HOURS)) {
    const hours = parseNumber(match.groups?.num ?? '')
    if (hours === null || hours <= 0) continue
    const perWord = match.groups?.per?.toLowerCase()
    const per = perWord
      ? perWord.startsWith('d')
        ? 'day'
        : perWord.startsWith('w')
          ? 'week'
          : 'month'
      : null
    found.push({ hours, per, range: null, span: scanner.consume(match.index, match.index + match[0].length) })
  }
  for (const match of scanner.matches(DAYS_PER_WEEK)) {
    const days = parseNumber(match.groups?.num ?? '')
    if (days === null || days <= 0 || days > 7) continue
    found.push({
      hours: days * HOURS_PER_DAY,
      per: 'week',
      range: null,
      span: scanner.consume(match.index, match.index + match[0].length),
    })
  }
  return found.sort((a, b) => a.span.start - b.span.start)
}

// What may sit between a figure and its role: "200h senior dev", "120 hours of QA", "80h: design".
const BETWEEN_HOURS_AND_ROLE = /^[\s:–—-]*(?:(?:of|for|as)\s+)?(?:(?:an?|the)\s+)?$/i
// "QA for 120 hours", "design: 80h", "drop design to 60h"
const BETWEEN_ROLE_AND_HOURS = /^[\s:–—-]*(?:for|to|at|x|×|@|=)?\s*$/i

/** Pairs each effort figure with the role written right after it, or else right before it. */
export function attachRoles(
  text: string,
  lines: Omit<HoursLine, 'role'>[],
  roles: RoleMention[],
): HoursLine[] {
  const used = new Set<RoleMention>()
  const paired: HoursLine[] = lines.map((line) => ({ ...line, role: null }))
  for (const line of paired) {
    const after = roles.find(
      (r) =>
        !used.has(r) &&
        r.span.start >= line.span.end &&
        BETWEEN_HOURS_AND_ROLE.test(text.slice(line.span.end, r.span.start)),
    )
    if (after) {
      line.role = after
      used.add(after)
    }
  }
  for (const line of paired) {
    if (line.role) continue
    const before = [...roles]
      .reverse()
      .find(
        (r) =>
          !used.has(r) &&
          r.span.end <= line.span.start &&
          BETWEEN_ROLE_AND_HOURS.test(text.slice(r.span.end, line.span.start)),
      )
    if (before) {
      line.role = before
      used.add(before)
    }
  }
  return paired
}
