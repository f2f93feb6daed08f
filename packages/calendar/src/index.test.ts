import { describe, expect, it } from 'vitest'
import {
  addDays,
  daysBetween,
  earliest,
  fromDayNumber,
  latest,
  mondayOf,
  nextMonday,
  nextWorkingDay,
  toDayNumber,
  weekday,
} from './index.js'

describe('ISO calendar arithmetic', () => {
  it('adds days across months, years and leap days', () => {
    expect(addDays('2026-12-30', 3)).toBe('2027-01-02')
    expect(addDays('2028-02-28', 1)).toBe('2028-02-29')
    expect(addDays('2027-03-01', -1)).toBe('2027-02-28')
    expect(daysBetween('2027-01-05', '2027-03-30')).toBe(84)
    expect(fromDayNumber(toDayNumber('2026-11-25'))).toBe('2026-11-25')
  })

  it('knows weekdays, Mondays and the next working day', () => {
    expect(weekday('2026-11-23')).toBe(0) // a Monday
    expect(weekday('2026-11-29')).toBe(6)
    expect(mondayOf('2026-11-29')).toBe('2026-11-23')
    expect(nextMonday('2026-11-23')).toBe('2026-11-30')
    expect(nextWorkingDay('2026-11-28')).toBe('2026-11-30')
    expect(nextWorkingDay('2026-11-27')).toBe('2026-11-27')
  })

  it('orders ISO dates', () => {
    expect(earliest(['2027-02-01', '2026-12-31', '2027-01-15'])).toBe('2026-12-31')
    expect(latest(['2027-02-01', '2026-12-31', '2027-01-15'])).toBe('2027-02-01')
  })
})
