/**
 * Calendar arithmetic on ISO dates ('YYYY-MM-DD'), on UTC day numbers, so a plan or a data set never shifts
 * with the machine's time zone or clock. Weekdays are ISO 8601's: 1 = Monday ... 7 = Sunday.
 */

export type IsoDate = string

const DAY_MS = 86_400_000
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/

/** Days since 1970-01-01; throws on anything but 'YYYY-MM-DD'. */
export function toDayNumber(date: IsoDate): number {
  const match = ISO_DATE.exec(date)
  if (!match) throw new Error(`not an ISO date: ${date}`)
  return Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) / DAY_MS
}

export function fromDayNumber(day: number): IsoDate {
  return new Date(day * DAY_MS).toISOString().slice(0, 10)
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return fromDayNumber(toDayNumber(date) + days)
}

/** Days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: IsoDate, to: IsoDate): number {
  return toDayNumber(to) - toDayNumber(from)
}

/** 1 = Monday ... 7 = Sunday (1970-01-01, day 0, was a Thursday). */
export function isoWeekday(date: IsoDate): number {
  return ((((toDayNumber(date) + 3) % 7) + 7) % 7) + 1
}

export function isWeekend(date: IsoDate): boolean {
  return isoWeekday(date) > 5
}

/** The Monday of the week holding `date`. */
export function mondayOf(date: IsoDate): IsoDate {
  return addDays(date, 1 - isoWeekday(date))
}

/** The Monday of the week after `date` (today's next Monday, never today). */
export function nextMonday(date: IsoDate): IsoDate {
  return addDays(date, 8 - isoWeekday(date))
}

/** The date itself on a weekday, else the Monday after. */
export function nextWorkingDay(date: IsoDate): IsoDate {
  const day = isoWeekday(date)
  return day <= 5 ? date : addDays(date, 8 - day)
}

/** The date itself on a weekday, else the Friday before. */
export function previousWorkingDay(date: IsoDate): IsoDate {
  const day = isoWeekday(date)
  return day <= 5 ? date : addDays(date, 5 - day)
}

/** Every date from `from` to `to`, both included. */
export function* eachDay(from: IsoDate, to: IsoDate): Generator<IsoDate> {
  for (let day = toDayNumber(from); day <= toDayNumber(to); day++) yield fromDayNumber(day)
}

/** Monday-to-Friday dates from `from` to `to`, both included. */
export function countWeekdays(from: IsoDate, to: IsoDate): number {
  const first = toDayNumber(from)
  const last = toDayNumber(to)
  return last < first ? 0 : weekdaysBefore(last + 1) - weekdaysBefore(first)
}

/** Weekdays from Monday 1969-12-29 (day -3) up to, not including, `day`: closed form, no day-by-day walk. */
function weekdaysBefore(day: number): number {
  const since = day + 3
  const weeks = Math.floor(since / 7)
  return weeks * 5 + Math.min(since - weeks * 7, 5)
}

/** The earliest of ISO dates (they compare as strings). */
export function earliest(dates: readonly IsoDate[]): IsoDate {
  return [...dates].sort()[0] as IsoDate
}

/** The latest of ISO dates. */
export function latest(dates: readonly IsoDate[]): IsoDate {
  return [...dates].sort().at(-1) as IsoDate
}

/** The UTC calendar date of an instant, or the date itself when given as 'YYYY-MM-DD'. */
export function toIsoDate(value: Date | IsoDate): IsoDate {
  if (typeof value === 'string') {
    toDayNumber(value)
    return value
  }
  if (Number.isNaN(value.getTime())) throw new Error('invalid date')
  return value.toISOString().slice(0, 10)
}

export function yearOf(date: IsoDate): number {
  return Number(date.slice(0, 4))
}

/** An instant (ISO 8601, UTC) on a date at a given time of day. */
export function timestamp(date: IsoDate, hour: number, minute = 0, second = 0): string {
  return new Date(toDayNumber(date) * DAY_MS + ((hour * 60 + minute) * 60 + second) * 1000).toISOString()
}
