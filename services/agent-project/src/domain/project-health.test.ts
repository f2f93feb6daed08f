import { describe, expect, it } from 'vitest'
import { assessProject, measureEarnedValue, type ProjectFacts } from './project-health.js'

// A Monday-to-Sunday project of 12 weeks (60 working days); the first task ended after 4 weeks.
const base: ProjectFacts = {
  startsOn: '2026-01-05',
  endsOn: '2026-03-29', // 84 days
  budgetMinor: 10_000_000,
  actualMinor: 5_000_000,
  tasks: [
    {
      estimateHours: 100,
      percentComplete: 100,
      status: 'done',
      startsOn: '2026-01-05',
      endsOn: '2026-02-01',
    },
    {
      estimateHours: 300,
      percentComplete: 50,
      status: 'in_progress',
      startsOn: '2026-01-05',
      endsOn: '2026-03-29',
    },
  ],
  milestones: [],
}
const midway = '2026-02-16' // the first task over, 30 of the second's 60 working days gone

describe('assessProject', () => {
  it('measures burn as the budget burn over budget, and progress weighted by estimate', () => {
    const a = assessProject(
      {
        ...base,
        actualMinor: 4_000_000,
        tasks: [
          { estimateHours: 100, percentComplete: 100, status: 'done', startsOn: null, endsOn: null },
          { estimateHours: 300, percentComplete: 0, status: 'not_started', startsOn: null, endsOn: null },
        ],
      },
      '2026-01-05',
    )
    expect(a.burnPct).toBe(40)
    expect(a.progressPct).toBe(25)
    expect(a.openTasks).toBe(1)
  })

  it('rounds burn to two decimals and reports no burn or earned value without a budget', () => {
    expect(assessProject({ ...base, actualMinor: 1, budgetMinor: 3 }, midway).burnPct).toBe(33.33)
    for (const budgetMinor of [null, 0]) {
      const a = assessProject({ ...base, budgetMinor }, midway)
      expect(a.burnPct).toBeNull()
      expect(a.earnedValue).toBeNull()
      expect(a.forecastAtCompletionMinor).toBeNull()
    }
  })

  it('counts done tasks when nothing is estimated', () => {
    const a = assessProject(
      {
        ...base,
        tasks: [
          { estimateHours: 0, percentComplete: 100, status: 'done', startsOn: null, endsOn: null },
          { estimateHours: 0, percentComplete: 30, status: 'in_progress', startsOn: null, endsOn: null },
        ],
      },
      '2026-01-05',
    )
    expect(a.progressPct).toBe(50)
  })

  it("plans each task's estimate over its working days, and compares progress with that plan", () => {
    const a = assessProject(base, midway)
    expect(a.plannedPct).toBe(62.5) // (100 × 1 + 300 × 30/60) / 400
    expect(a.progressPct).toBe(62.5)
    expect(a.scheduleVariancePts).toBe(0)
    expect(a.elapsedPct).toBe(50) // day 42 of 84 of the calendar
    expect(assessProject(base, '2025-12-01')).toMatchObject({ plannedPct: 0, elapsedPct: 0 })
    expect(assessProject(base, '2027-01-01')).toMatchObject({ plannedPct: 100, elapsedPct: 100 })
  })

  it('gives earned value: EV and PV from the budget, AC the burn, and the indices and forecasts', () => {
    const a = assessProject(base, midway)
    expect(a.earnedValue).toEqual({
      bacMinor: 10_000_000,
      pvMinor: 6_250_000,
      evMinor: 6_250_000,
      acMinor: 5_000_000,
      cpi: 1.25,
      spi: 1,
      eacMinor: 8_000_000,
      etcMinor: 3_000_000,
      vacMinor: 2_000_000,
    })
    expect(a.forecastAtCompletionMinor).toBe(8_000_000)
    expect(a.forecastVarianceMinor).toBe(2_000_000)
    expect(a.health).toBe('green')
  })

  it('leaves undefined indices null: nothing spent, nothing planned, nothing earned', () => {
    expect(measureEarnedValue(10_000_000, 0, 0, 0)).toEqual({
      bacMinor: 10_000_000,
      pvMinor: 0,
      evMinor: 0,
      acMinor: 0,
      cpi: null,
      spi: null,
      eacMinor: null,
      etcMinor: null,
      vacMinor: null,
    })
    // Money spent with nothing earned: CPI 0, no forecast can be made from it.
    expect(measureEarnedValue(10_000_000, 0, 10, 500_000)).toMatchObject({
      cpi: 0,
      spi: 0,
      eacMinor: null,
      vacMinor: null,
    })
    expect(assessProject({ ...base, tasks: [] }, midway).forecastAtCompletionMinor).toBeNull()
  })

  it('rates health with reasons: amber at 85% burn or one late milestone, red past budget or two late', () => {
    const amber = assessProject(
      {
        ...base,
        milestones: [
          { name: 'Design sign-off', dueOn: '2026-02-10', completedOn: null },
          { name: 'Kick-off', dueOn: '2026-01-06', completedOn: '2026-01-06' },
          { name: 'Go-live', dueOn: '2026-03-27', completedOn: null },
        ],
      },
      midway,
    )
    expect(amber.health).toBe('amber')
    expect(amber.lateMilestones).toEqual([{ name: 'Design sign-off', dueOn: '2026-02-10', daysLate: 6 }])
    expect(amber.nextMilestone).toEqual({ name: 'Go-live', dueOn: '2026-03-27' })
    expect(amber.findings).toEqual(['milestone "Design sign-off" is 6 day(s) late'])

    const burning = assessProject({ ...base, actualMinor: 9_100_000 }, midway)
    expect(burning.burnPct).toBe(91)
    // 91% spent for 62.5% earned: CPI 0.69, EAC 14.56m, 46% over budget.
    expect(burning.health).toBe('red')
    expect(burning.findings[0]).toBe('the forecast at completion is 46% over budget (CPI 0.69)')
    expect(burning.findings[1]).toBe('91% of the budget is burned')

    const slightly = assessProject({ ...base, actualMinor: 6_500_000 }, midway)
    expect(slightly.health).toBe('amber') // CPI 0.96: 4% over
    expect(slightly.findings).toEqual(['the forecast at completion is 4% over budget (CPI 0.96)'])

    const spent = assessProject({ ...base, actualMinor: 10_000_000, tasks: [] }, midway)
    expect(spent.findings[0]).toBe('the budget is spent (100% burned)')
    expect(spent.health).toBe('red')
  })

  it('flags work behind the plan by SPI, and overdue or blocked tasks', () => {
    const tasks = (percentComplete: number): ProjectFacts['tasks'] => [
      { estimateHours: 10, percentComplete, status: 'blocked', startsOn: '2026-01-05', endsOn: '2026-02-01' },
      {
        estimateHours: 10,
        percentComplete,
        status: 'in_progress',
        startsOn: '2026-02-02',
        endsOn: '2026-03-27',
      },
    ]
    // Planned by the 16th: the first task and 10 of the second's 40 working days, 62.5%.
    const behind = assessProject({ ...base, actualMinor: 0, tasks: tasks(10) }, midway)
    expect(behind.plannedPct).toBe(62.5)
    expect(behind.scheduleVariancePts).toBe(-52.5)
    expect(behind.earnedValue?.spi).toBe(0.16)
    expect(behind.health).toBe('red')
    expect(behind.findings).toEqual(['work is 53 points behind the plan (SPI 0.16)'])
    expect(behind.blockedTasks).toBe(1)
    expect(behind.overdueTasks).toBe(1)

    const late = assessProject({ ...base, actualMinor: 0, tasks: tasks(50) }, midway)
    expect(late.health).toBe('amber')
    expect(late.findings).toEqual(['work is 13 points behind the plan (SPI 0.80)'])
  })
})
