import { addDays, isoWeekday } from '@psa/calendar'
import type { z } from 'zod'
import { parseInput } from './parse-input.js'
import { calendarSchema } from './schedule/model.js'

/** Maps working days (0 = the first working day on or after `start`) to ISO dates and back. */
export interface WorkingCalendar {
  /** The date of working day `day`. */
  dateOf(day: number): string
  /** The working day on `date`, or the next working day when `date` is not one. */
  dayOf(date: string): number
}

export function workingCalendar(input: CalendarInput): WorkingCalendar {
  const cal = parseInput(calendarSchema, input, 'calendar')
  const weekdays = new Set(cal.workingWeekdays)
  const holidays = new Set(cal.holidays)
  const dates: string[] = []
  let cursor = cal.start
  const isWorking = (d: string) => weekdays.has(isoWeekday(d)) && !holidays.has(d)
  const extend = (until: (last: string) => boolean) => {
    // A year of holidays at most between two working days keeps a bad calendar from spinning forever.
    let idle = 0
    while (dates.length === 0 || !until(dates[dates.length - 1] as string)) {
      if (isWorking(cursor)) {
        dates.push(cursor)
        idle = 0
      } else if (++idle > 366) throw new Error('the calendar has no working day in a whole year')
      cursor = addDays(cursor, 1)
    }
  }
  return {
    dateOf(day) {
      if (!Number.isInteger(day) || day < 0) throw new RangeError(`not a working day number: ${day}`)
      extend(() => dates.length > day)
      return dates[day] as string
    },
    dayOf(date) {
      if (date <= cal.start) return 0
      extend((last) => last >= date)
      let lo = 0
      let hi = dates.length - 1
      while (lo < hi) {
        const mid = (lo + hi) >> 1
        if ((dates[mid] as string) < date) lo = mid + 1
        else hi = mid
      }
      return lo
    },
  }
}

export type CalendarInput = z.input<typeof calendarSchema>
