import { describe, expect, it } from 'vitest'
import { publicHolidays } from './holidays.js'

const dates = (country: string, region: string | undefined, year: number) =>
  new Map(publicHolidays(country, region, [year]).map((h) => [h.date, h.name]))

describe('public holidays', () => {
  it('computes the Easter-based holidays of England and Berlin', () => {
    const england = dates('GB', 'ENG', 2026)
    expect(england.get('2026-04-03')).toBe('Good Friday')
    expect(england.get('2026-04-06')).toBe('Easter Monday')
    const berlin = dates('DE', 'BE', 2027)
    expect(berlin.get('2027-03-26')).toBe('Good Friday')
    expect(berlin.get('2027-05-06')).toBe('Ascension Day')
    expect(berlin.get('2027-05-17')).toBe('Whit Monday')
    // Berlin's own public holiday since 2019.
    expect(berlin.get('2027-03-08')).toBe("International Women's Day")
  })

  it('includes the US federal holidays with their observed days, in US English', () => {
    const us = dates('US', undefined, 2026)
    expect(us.get('2026-11-26')).toBe('Thanksgiving Day')
    expect(us.get('2026-09-07')).toBe('Labor Day')
    expect(us.get('2026-07-03')).toBe('Independence Day (substitute day)')
    // New York State's extra days are not the firm's holidays.
    expect(us.has('2026-02-12')).toBe(false)
  })

  it('gives substitute days when a holiday falls on a weekend', () => {
    const england = dates('GB', 'ENG', 2027)
    expect(england.has('2027-12-27')).toBe(true)
    expect(england.has('2027-12-28')).toBe(true)
  })

  it('returns one row per date, sorted, for several years', () => {
    const all = publicHolidays('US', undefined, [2026, 2027])
    const unique = new Set(all.map((h) => h.date))
    expect(unique.size).toBe(all.length)
    expect(all.map((h) => h.date)).toEqual([...all.map((h) => h.date)].sort())
    expect(all.filter((h) => h.date.startsWith('2027')).length).toBeGreaterThanOrEqual(11)
  })
})
