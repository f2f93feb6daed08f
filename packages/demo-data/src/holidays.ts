import type { IsoDate } from '@psa/calendar'
import Holidays from 'date-holidays'

export interface PublicHoliday {
  date: IsoDate
  name: string
}

/**
 * Public holidays of a country (and region) for the given years, from date-holidays' bundled rules, so
 * Easter-based and substitute ("observed") days are right. Two holidays on one date become one row, since a
 * location has at most one holiday per date.
 */
export function publicHolidays(
  countryCode: string,
  region: string | undefined,
  years: readonly number[],
): PublicHoliday[] {
  // date-holidays names US holidays in US English only when asked for en-us ("Labor Day").
  const language = countryCode === 'US' ? 'en-us' : 'en'
  const calendar = region
    ? new Holidays(countryCode, region, { languages: [language], types: ['public'] })
    : new Holidays(countryCode, { languages: [language], types: ['public'] })
  const byDate = new Map<IsoDate, string[]>()
  for (const year of years) {
    for (const holiday of calendar.getHolidays(year, language)) {
      // `date` is the local calendar date ("2026-12-25 00:00:00"), independent of the machine's time zone.
      const date = holiday.date.slice(0, 10)
      const names = byDate.get(date) ?? []
      if (!names.includes(holiday.name)) names.push(holiday.name)
      byDate.set(date, names)
    }
  }
  return [...byDate.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([date, names]) => ({ date, name: names.join(' / ') }))
}
