import { describe, expect, it } from 'vitest'
import { assignmentProblemSchema } from './assign/model.js'
import { workingCalendar } from './calendar.js'
import { generateGap } from './generators/gap.js'
import { generateRcpsp } from './generators/rcpsp.js'
import { scheduleProblemSchema } from './schedule/model.js'

describe('workingCalendar', () => {
  it('maps working days to dates and back, skipping weekends and holidays', () => {
    const cal = workingCalendar({ start: '2026-12-24', holidays: ['2026-12-25', '2027-01-01'] })
    expect([0, 1, 2, 5].map((d) => cal.dateOf(d))).toEqual([
      '2026-12-24',
      '2026-12-28',
      '2026-12-29',
      '2027-01-04',
    ])
    expect(cal.dayOf('2026-12-26')).toBe(1)
    expect(cal.dayOf('2027-01-04')).toBe(5)
    expect(cal.dayOf('2026-01-01')).toBe(0)
  })

  it('starts on the next working day and honours custom working weeks', () => {
    const cal = workingCalendar({ start: '2026-12-05', workingWeekdays: [1, 2, 3, 4] })
    expect([0, 3, 4].map((d) => cal.dateOf(d))).toEqual(['2026-12-07', '2026-12-10', '2026-12-14'])
  })
})

describe('instance generators', () => {
  it('make valid, reproducible problems', () => {
    const a = generateRcpsp({
      jobs: 30,
      networkComplexity: 1.8,
      resourceFactor: 0.5,
      resourceStrength: 0.3,
      seed: 4,
    })
    expect(scheduleProblemSchema.safeParse(a).success).toBe(true)
    expect(
      generateRcpsp({
        jobs: 30,
        networkComplexity: 1.8,
        resourceFactor: 0.5,
        resourceStrength: 0.3,
        seed: 4,
      }),
    ).toEqual(a)
    for (const type of ['C', 'D', 'E'] as const)
      expect(assignmentProblemSchema.safeParse(generateGap(type, 5, 40, 1)).success).toBe(true)
  })
})
