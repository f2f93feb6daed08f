import { describe, expect, it } from 'vitest'
import { assessProject, type ProjectFacts } from './project-health.js'

const base: ProjectFacts = {
  startsOn: '2026-01-05',
  endsOn: '2026-03-29', // 84 days
  budgetMinor: 10_000_000,
  costToDateMinor: 4_000_000,
  tasks: [
    { estimateHours: 100, percentComplete: 50, status: 'in_progress', endsOn: '2026-02-01' },
    { estimateHours: 300, percentComplete: 50, status: 'in_progress', endsOn: '2026-03-29' },
  ],
  milestones: [],
}

describe('assessProject', () => {
  it('measures burn as cost to date over budget, and progress weighted by estimate', () => {
    const a = assessProject(
      {
        ...base,
        tasks: [
          { estimateHours: 100, percentComplete: 100, status: 'done', endsOn: null },
          { estimateHours: 300, percentComplete: 0, status: 'not_started', endsOn: null },
        ],
      },
      '2026-01-05',
    )
    expect(a.burnPct).toBe(40)
    expect(a.progressPct).toBe(25)
    expect(a.openTasks).toBe(1)
  })

  it('rounds burn to two decimals and reports no burn without a budget', () => {
    expect(assessProject({ ...base, costToDateMinor: 1, budgetMinor: 3 }, '2026-01-05').burnPct).toBe(33.33)
    expect(assessProject({ ...base, budgetMinor: null }, '2026-01-05').burnPct).toBeNull()
    expect(assessProject({ ...base, budgetMinor: 0 }, '2026-01-05').burnPct).toBeNull()
  })

  it('counts done tasks when nothing is estimated', () => {
    const a = assessProject(
      {
        ...base,
        tasks: [
          { estimateHours: 0, percentComplete: 100, status: 'done', endsOn: null },
          { estimateHours: 0, percentComplete: 30, status: 'in_progress', endsOn: null },
        ],
      },
      '2026-01-05',
    )
    expect(a.progressPct).toBe(50)
  })

  it('compares progress with the share of the schedule gone, clamped to the project dates', () => {
    expect(assessProject(base, '2026-02-16').elapsedPct).toBe(50) // day 42 of 84
    expect(assessProject(base, '2025-12-01').elapsedPct).toBe(0)
    expect(assessProject(base, '2027-01-01').elapsedPct).toBe(100)
    expect(assessProject(base, '2026-02-16').scheduleVariancePts).toBe(0)
  })

  it('forecasts cost at completion from cost per unit of progress', () => {
    const a = assessProject(base, '2026-02-16') // 40% burned at 50% done
    expect(a.forecastAtCompletionMinor).toBe(8_000_000)
    expect(a.forecastVarianceMinor).toBe(2_000_000)
    expect(a.health).toBe('green')
    const before = assessProject({ ...base, tasks: [] }, '2026-02-16')
    expect(before.forecastAtCompletionMinor).toBeNull()
  })

  it('rates health with reasons: amber at 85% burn or one late milestone, red past budget or two late', () => {
    const amber = assessProject(
      {
        ...base,
        costToDateMinor: 4_000_000,
        milestones: [
          { name: 'Design sign-off', dueOn: '2026-02-10', completedOn: null },
          { name: 'Kick-off', dueOn: '2026-01-06', completedOn: '2026-01-06' },
          { name: 'Go-live', dueOn: '2026-03-27', completedOn: null },
        ],
      },
      '2026-02-16',
    )
    expect(amber.health).toBe('amber')
    expect(amber.lateMilestones).toEqual([{ name: 'Design sign-off', dueOn: '2026-02-10', daysLate: 6 }])
    expect(amber.nextMilestone).toEqual({ name: 'Go-live', dueOn: '2026-03-27' })
    expect(amber.findings).toEqual(['milestone "Design sign-off" is 6 day(s) late'])

    const burning = assessProject({ ...base, costToDateMinor: 9_100_000 }, '2026-02-16')
    expect(burning.burnPct).toBe(91)
    expect(burning.health).toBe('red') // 91% spent at 50% done: forecast 82% over budget
    expect(burning.findings[0]).toContain('forecast at completion is 82% over budget')
    expect(burning.findings[1]).toBe('91% of the budget is burned')

    const spent = assessProject({ ...base, costToDateMinor: 10_000_000, tasks: [] }, '2026-02-16')
    expect(spent.findings[0]).toBe('the budget is spent (100% burned)')
    expect(spent.health).toBe('red')
  })

  it('flags work behind schedule and overdue or blocked tasks', () => {
    const behind = assessProject(
      {
        ...base,
        costToDateMinor: 0,
        tasks: [
          { estimateHours: 10, percentComplete: 10, status: 'blocked', endsOn: '2026-02-01' },
          { estimateHours: 10, percentComplete: 10, status: 'in_progress', endsOn: '2026-03-20' },
        ],
      },
      '2026-02-16',
    )
    expect(behind.scheduleVariancePts).toBe(-40)
    expect(behind.health).toBe('red')
    expect(behind.blockedTasks).toBe(1)
    expect(behind.overdueTasks).toBe(1)
  })
})
