import { describe, expect, it } from 'vitest'
import {
  availability,
  checkAllocation,
  type PersonCalendar,
  rankCandidates,
  weeklyLoad,
} from './availability.js'

// Weeks of 2027-01-04 (Mon) and 2027-01-11 (Mon).
const person: PersonCalendar = {
  weeklyCapacityHours: 40,
  utilisationTargetPct: 80,
  employmentStart: '2020-01-01',
  employmentEnd: null,
  holidays: new Set(['2027-01-06']),
  timeOff: [{ startsOn: '2027-01-14', endsOn: '2027-01-15', hoursPerDay: 8 }],
  allocations: [
    { startsOn: '2027-01-01', endsOn: '2027-01-08', hoursPerWeek: 20, kind: 'hard' },
    { startsOn: '2027-01-11', endsOn: '2027-02-28', hoursPerWeek: 10, kind: 'soft' },
  ],
}

describe('weeklyLoad', () => {
  it('takes holidays and time off out of capacity and books every overlapping week in full', () => {
    expect(weeklyLoad(person, '2027-01-04', '2027-01-15')).toEqual([
      {
        week: '2027-01-04',
        capacityHours: 32,
        timeOffHours: 0,
        holidayHours: 8,
        bookedHours: 20,
        softHours: 0,
      },
      {
        week: '2027-01-11',
        capacityHours: 24,
        timeOffHours: 16,
        holidayHours: 0,
        bookedHours: 10,
        softHours: 10,
      },
    ])
  })

  it('counts only days inside employment and caps time off at a day of capacity', () => {
    const leaver = {
      ...person,
      employmentEnd: '2027-01-06',
      timeOff: [{ startsOn: '2027-01-04', endsOn: '2027-01-04', hoursPerDay: 12 }],
    }
    const [week] = weeklyLoad(leaver, '2027-01-04', '2027-01-08')
    // Mon off (8 of its 8 h), Tue worked, Wed a holiday, Thu/Fri after leaving.
    expect(week).toMatchObject({ capacityHours: 8, timeOffHours: 8, holidayHours: 8 })
  })

  it('spreads a part-timer’s hours over the week', () => {
    const [week] = weeklyLoad(
      { ...person, weeklyCapacityHours: 32, holidays: new Set(), timeOff: [] },
      '2027-01-04',
      '2027-01-08',
    )
    expect(week?.capacityHours).toBe(32)
  })
})

describe('availability', () => {
  it('is capacity minus holidays, time off and bookings, with utilisation against capacity', () => {
    const a = availability(person, '2027-01-04', '2027-01-15')
    expect(a).toMatchObject({
      weeks: 2,
      grossCapacityHours: 80,
      holidayHours: 8,
      timeOffHours: 16,
      capacityHours: 56,
      bookedHours: 30,
      softBookedHours: 10,
      availableHours: 26,
      utilisationPct: 53.57,
      targetPct: 80,
      minFreeHoursPerWeek: 12, // week 1: 32 - 20
      minFreeToTargetHoursPerWeek: 5.6, // week 1: 32 * 0.8 - 20
      overAllocatedWeeks: [],
    })
  })

  it('reports weeks booked past capacity', () => {
    const busy = {
      ...person,
      allocations: [
        ...person.allocations,
        { startsOn: '2027-01-04', endsOn: '2027-01-08', hoursPerWeek: 16, kind: 'hard' as const },
      ],
    }
    const a = availability(busy, '2027-01-04', '2027-01-15')
    expect(a.overAllocatedWeeks).toEqual([{ week: '2027-01-04', bookedHours: 36, capacityHours: 32 }])
    expect(a.minFreeHoursPerWeek).toBe(-4)
  })
})

describe('rankCandidates', () => {
  const base = availability(person, '2027-01-04', '2027-01-15')
  const free = availability({ ...person, allocations: [] }, '2027-01-04', '2027-01-15')
  it('puts people who can take the hours every week first, then skill, then headroom', () => {
    const ranked = rankCandidates(
      [
        { personId: 'busy', name: 'Busy Expert', proficiency: 5, availability: base },
        { personId: 'free-3', name: 'Free Three', proficiency: 3, availability: free },
        { personId: 'free-4', name: 'Free Four', proficiency: 4, availability: free },
      ],
      { hoursPerWeek: 16, respectTarget: true },
    )
    expect(ranked.map((c) => c.personId)).toEqual(['free-4', 'free-3', 'busy'])
    expect(ranked[0]).toMatchObject({ canCover: true, freeHoursPerWeek: 19.2 }) // 24 h * 80% in the week with leave
    expect(ranked[2]).toMatchObject({ canCover: false, freeHoursPerWeek: 5.6 })
    expect(ranked[0]?.score).toBe(45 + 20 + 15 + 15)
  })

  it('prefers the role asked for among equally available people', () => {
    const ranked = rankCandidates(
      [
        { personId: 'lead', name: 'A Lead', proficiency: 4, roleMatch: false, availability: free },
        { personId: 'senior', name: 'B Senior', proficiency: 4, roleMatch: true, availability: free },
      ],
      { hoursPerWeek: 16, respectTarget: true },
    )
    expect(ranked.map((c) => c.personId)).toEqual(['senior', 'lead'])
  })

  it('measures free time up to full capacity when the target need not be respected', () => {
    const [c] = rankCandidates([{ personId: 'x', name: 'X', proficiency: null, availability: base }], {
      hoursPerWeek: 12,
      respectTarget: false,
    })
    expect(c).toMatchObject({ freeHoursPerWeek: 12, canCover: true })
  })
})

describe('checkAllocation', () => {
  it('refuses weeks past 100% and reports weeks past the target', () => {
    const check = checkAllocation(person, [
      { startsOn: '2027-01-04', endsOn: '2027-01-15', hoursPerWeek: 14, kind: 'soft' },
    ])
    expect(check.overCapacity).toEqual(
      [
        { week: '2027-01-04', bookedHours: 34, capacityHours: 32 },
        { week: '2027-01-11', bookedHours: 24, capacityHours: 24 },
      ].filter((w) => w.bookedHours > w.capacityHours),
    )
    expect(check.overTarget.map((w) => w.week)).toEqual(['2027-01-04', '2027-01-11'])
    expect(check.peakUtilisationPct).toBe(106.25)
  })

  it('accepts bookings that fit, counting several new bookings together', () => {
    const fits = checkAllocation(person, [
      { startsOn: '2027-01-11', endsOn: '2027-01-15', hoursPerWeek: 6, kind: 'soft' },
      { startsOn: '2027-01-11', endsOn: '2027-01-15', hoursPerWeek: 8, kind: 'hard' },
    ])
    expect(fits.overCapacity).toEqual([])
    expect(fits.peakUtilisationPct).toBe(100)
    expect(fits.overTarget).toEqual([{ week: '2027-01-11', bookedHours: 24, targetHours: 19.2 }])
  })
})
