import { addDays, isoWeekday, toDayNumber } from '@psa/calendar'

/**
 * Signed working-day numbers on a calendar (weekdays worked plus holidays): `index(date)` is the number of
 * working days from `start` up to (not including) `date`, negative before `start`. For dates on or after
 * `start` it is @psa/planning's `dayOf`: a non-working date counts as the working day after it.
 */
export interface WorkingDays {
  index(date: string): number
  isWorking(date: string): boolean
}

export function workingDays(
  start: string,
  weekdays: readonly number[],
  holidays: readonly string[],
): WorkingDays {
  const worked = new Set(weekdays)
  const perWeek = worked.size
  const off = [...new Set(holidays)]
    .filter((h) => worked.has(isoWeekday(h)))
    .map(toDayNumber)
    .sort((a, b) => a - b)
  const origin = toDayNumber(start)
  // Working weekdays in [origin, day), before holidays.
  const weekdaysBefore = (day: number) => {
    const span = day - origin
    const weeks = Math.floor(span / 7)
    let count = weeks * perWeek
    for (let k = origin + weeks * 7; k < day; k++) if (worked.has(weekdayOf(k))) count++
    return count
  }
  // Holidays on working weekdays in [origin, day).
  const below = (day: number) => {
    let lo = 0
    let hi = off.length
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if ((off[mid] as number) < day) lo = mid + 1
      else hi = mid
    }
    return lo
  }
  const holidaySet = new Set(off)
  const base = below(origin)
  return {
    index(date) {
      const day = toDayNumber(date)
      return weekdaysBefore(day) - (below(day) - base)
    },
    isWorking(date) {
      const day = toDayNumber(date)
      return worked.has(weekdayOf(day)) && !holidaySet.has(day)
    },
  }
}

// Day 0 (1970-01-01) was a Thursday, ISO weekday 4.
function weekdayOf(day: number): number {
  return ((((day + 3) % 7) + 7) % 7) + 1
}

export function dayAfter(date: string): string {
  return addDays(date, 1)
}
