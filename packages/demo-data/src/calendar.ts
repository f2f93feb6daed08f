// Calendar arithmetic on ISO dates ('YYYY-MM-DD'). Everything is done on UTC day numbers so that the
// generated data never depends on the machine's time zone.

export type IsoDate = string

const MS_PER_DAY = 86_400_000
const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/

export function dayNumber(date: IsoDate): number {
  const match = ISO_DATE.exec(date)
  if (!match) throw new Error(`not an ISO date: ${date}`)
  return Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) / MS_PER_DAY
}

export function isoDate(day: number): IsoDate {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10)
}

export function addDays(date: IsoDate, days: number): IsoDate {
  return isoDate(dayNumber(date) + days)
}

export function daysBetween(from: IsoDate, to: IsoDate): number {
  return dayNumber(to) - dayNumber(from)
}

/** 0 = Sunday .. 6 = Saturday (1970-01-01, day 0, was a Thursday). */
export function weekday(date: IsoDate): number {
  return (((dayNumber(date) + 4) % 7) + 7) % 7
}

export function isWeekend(date: IsoDate): boolean {
  const d = weekday(date)
  return d === 0 || d === 6
}

export function mondayOf(date: IsoDate): IsoDate {
  return addDays(date, -((weekday(date) + 6) % 7))
}

/** The UTC calendar date of an instant, or the date itself when given as 'YYYY-MM-DD'. */
export function toIsoDate(value: Date | IsoDate): IsoDate {
  if (typeof value === 'string') {
    dayNumber(value)
    return value
  }
  if (Number.isNaN(value.getTime())) throw new Error('invalid date')
  return value.toISOString().slice(0, 10)
}

export function yearOf(date: IsoDate): number {
  return Number(date.slice(0, 4))
}

export function minDate(a: IsoDate, b: IsoDate): IsoDate {
  return a <= b ? a : b
}

export function maxDate(a: IsoDate, b: IsoDate): IsoDate {
  return a >= b ? a : b
}

/** Moves a date forward to the next weekday when it falls on a weekend. */
export function nextWeekday(date: IsoDate): IsoDate {
  let d = date
  while (isWeekend(d)) d = addDays(d, 1)
  return d
}

/** Moves a date back to the previous weekday when it falls on a weekend. */
export function previousWeekday(date: IsoDate): IsoDate {
  let d = date
  while (isWeekend(d)) d = addDays(d, -1)
  return d
}

export function* eachDay(from: IsoDate, to: IsoDate): Generator<IsoDate> {
  for (let day = dayNumber(from); day <= dayNumber(to); day++) yield isoDate(day)
}

export function countWeekdays(from: IsoDate, to: IsoDate): number {
  let n = 0
  for (const d of eachDay(from, to)) if (!isWeekend(d)) n++
  return n
}

/** A timestamp (ISO 8601, UTC) on a date at a given hour and minute. */
export function timestamp(date: IsoDate, hour: number, minute = 0, second = 0): string {
  return new Date(dayNumber(date) * MS_PER_DAY + ((hour * 60 + minute) * 60 + second) * 1000).toISOString()
}
