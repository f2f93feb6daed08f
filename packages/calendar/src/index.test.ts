import { describe, expect, it } from 'vitest'
import {
  addDays,
  countWeekdays,
  daysBetween,
  eachDay,
  earliest,
  fromDayNumber,
  isoWeekday,
  isWeekend,
  latest,
  mondayOf,
  nextMonday,
  nextWorkingDay,
  previousWorkingDay,
  timestamp,
  toDayNumber,
  toIsoDate,
  yearOf,
} from './index.js'

describe('ISO calendar arithmetic', () => {
  it('adds days across months, years and leap days', () => {
    expect(addDays('2026-12-30', 3)).toBe('2027-01-02')
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29')
    expect(addDays('2027-03-01', -1)).toBe('2027-02-28')
    expect(addDays('2026-03-28', 2)).toBe('2026-03-30')
    expect(daysBetween('2027-01-05', '2027-03-30')).toBe(84)
    expect(daysBetween('2026-01-01', '2027-01-01')).toBe(365)
    expect(fromDayNumber(toDayNumber('2026-11-25'))).toBe('2026-11-25')
    expect(() => toDayNumber('25/11/2026')).toThrow(/not an ISO date/)
  })

  it('numbers weekdays as ISO 8601 does: Monday 1 to Sunday 7, before 1970 too', () => {
    expect(isoWeekday('2026-11-23')).toBe(1) // a Monday
    expect(isoWeekday('2026-11-27')).toBe(5)
    expect(isoWeekday('2026-11-28')).toBe(6)
    expect(isoWeekday('2026-11-29')).toBe(7)
    expect(isoWeekday('1970-01-01')).toBe(4)
    expect(isoWeekday('1969-12-31')).toBe(3)
    expect([...eachDay('2026-11-23', '2026-11-29')].map(isWeekend)).toEqual([
      false,
      false,
      false,
      false,
      false,
      true,
      true,
    ])
  })

  it('finds Mondays and working days, across month and year ends', () => {
    expect(mondayOf('2026-11-25')).toBe('2026-11-23')
    expect(mondayOf('2026-11-23')).toBe('2026-11-23')
    expect(mondayOf('2026-11-29')).toBe('2026-11-23')
    expect(mondayOf('2027-01-01')).toBe('2026-12-28')
    expect(nextMonday('2026-11-23')).toBe('2026-11-30')
    expect(nextMonday('2026-11-29')).toBe('2026-11-30')
    expect(nextWorkingDay('2026-11-28')).toBe('2026-11-30')
    expect(nextWorkingDay('2026-11-27')).toBe('2026-11-27')
    expect(previousWorkingDay('2026-11-29')).toBe('2026-11-27')
    expect(previousWorkingDay('2026-11-23')).toBe('2026-11-23')
    expect(countWeekdays('2026-11-23', '2026-12-06')).toBe(10)
  })

  it('orders ISO dates', () => {
    expect(earliest(['2027-02-01', '2026-12-31', '2027-01-15'])).toBe('2026-12-31')
    expect(latest(['2027-02-01', '2026-12-31', '2027-01-15'])).toBe('2027-02-01')
  })

  it('takes the UTC date of an instant, whatever the local time zone, and builds instants on a date', () => {
    expect(toIsoDate(new Date('2026-11-25T23:30:00-05:00'))).toBe('2026-11-26')
    expect(toIsoDate('2026-11-25')).toBe('2026-11-25')
    expect(() => toIsoDate('25/11/2026')).toThrow(/not an ISO date/)
    expect(() => toIsoDate(new Date(Number.NaN))).toThrow(/invalid date/)
    expect(timestamp('2026-11-25', 14, 2, 11)).toBe('2026-11-25T14:02:11.000Z')
    expect(yearOf('2026-11-25')).toBe(2026)
  })
})
