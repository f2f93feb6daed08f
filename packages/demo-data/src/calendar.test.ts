import { describe, expect, it } from 'vitest'
import {
  addDays,
  countWeekdays,
  daysBetween,
  mondayOf,
  nextWeekday,
  previousWeekday,
  toIsoDate,
  weekday,
} from './calendar.js'

describe('calendar', () => {
  it('knows the weekday of a date', () => {
    expect(weekday('2026-11-23')).toBe(1)
    expect(weekday('2026-11-29')).toBe(0)
    expect(weekday('1969-12-31')).toBe(3)
  })

  it('finds the Monday of a week, across month and year ends', () => {
    expect(mondayOf('2026-11-25')).toBe('2026-11-23')
    expect(mondayOf('2026-11-23')).toBe('2026-11-23')
    expect(mondayOf('2026-11-29')).toBe('2026-11-23')
    expect(mondayOf('2027-01-01')).toBe('2026-12-28')
  })

  it('does date arithmetic in whole days', () => {
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29')
    expect(addDays('2026-03-28', 2)).toBe('2026-03-30')
    expect(daysBetween('2026-01-01', '2027-01-01')).toBe(365)
    expect(countWeekdays('2026-11-23', '2026-12-06')).toBe(10)
    expect(nextWeekday('2026-11-28')).toBe('2026-11-30')
    expect(previousWeekday('2026-11-29')).toBe('2026-11-27')
  })

  it('takes the UTC date of an instant, whatever the local time zone', () => {
    expect(toIsoDate(new Date('2026-11-25T23:30:00-05:00'))).toBe('2026-11-26')
    expect(toIsoDate('2026-11-25')).toBe('2026-11-25')
    expect(() => toIsoDate('25/11/2026')).toThrow(/not an ISO date/)
    expect(() => toIsoDate(new Date(Number.NaN))).toThrow(/invalid date/)
  })
})
