import { describe, expect, it } from 'vitest'
import { calendarDay } from './model-context.js'

describe('calendarDay', () => {
  const lateUtc = new Date('2026-03-01T23:30:00Z')

  it("is the day in the organisation's time zone, the same on every call", () => {
    expect(calendarDay(lateUtc, 'Europe/London')).toBe('2026-03-01')
    expect(calendarDay(lateUtc, 'Asia/Tokyo')).toBe('2026-03-02')
    expect(calendarDay(lateUtc, 'America/Los_Angeles')).toBe('2026-03-01')
    // Second calls reuse the zone's formatter and must agree with the first.
    expect(calendarDay(lateUtc, 'Asia/Tokyo')).toBe('2026-03-02')
    expect(calendarDay(new Date('2026-03-02T16:00:00Z'), 'Asia/Tokyo')).toBe('2026-03-03')
  })

  it('falls back to the UTC day for a time zone Intl does not know, every time', () => {
    expect(calendarDay(lateUtc, 'Not/AZone')).toBe('2026-03-01')
    expect(calendarDay(new Date('2026-03-05T01:00:00Z'), 'Not/AZone')).toBe('2026-03-05')
  })
})
