/** Calendar arithmetic on ISO dates (YYYY-MM-DD) in UTC, so a plan never shifts with the server's time zone. */

const DAY_MS = 86_400_000

export function toDayNumber(date: string): number {
  return Math.floor(Date.parse(`${date}T00:00:00Z`) / DAY_MS)
}

export function fromDayNumber(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10)
}

export function addDays(date: string, days: number): string {
  return fromDayNumber(toDayNumber(date) + days)
}

/** Days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return toDayNumber(to) - toDayNumber(from)
}

/** 0 = Monday ... 6 = Sunday. */
export function weekday(date: string): number {
  return (new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7
}

/** The date itself on a weekday, else the Monday after. */
export function nextWorkingDay(date: string): string {
  const d = weekday(date)
  return d <= 4 ? date : addDays(date, 7 - d)
}

/** The Monday of the week after `date` (today's next Monday, never today). */
export function nextMonday(date: string): string {
  return addDays(date, 7 - weekday(date))
}

/** The Monday of the week holding `date`. */
export function mondayOf(date: string): string {
  return addDays(date, -weekday(date))
}

/** The earliest of ISO dates (they sort as strings). */
export function earliest(dates: readonly string[]): string {
  return [...dates].sort()[0] as string
}

/** The latest of ISO dates. */
export function latest(dates: readonly string[]): string {
  return [...dates].sort().at(-1) as string
}
