import { criticalPath, levelSchedule } from '@psa/planning'
import { describe, expect, it } from 'vitest'
import { projectPlan } from './problem.js'
import type { PlanRows } from './rows.js'

const project = { id: 'p', starts_on: '2027-01-04' } // a Monday
const task = (id: string, starts_on: string | null, ends_on: string | null, hours = 40, role_id = 'dev') => ({
  id,
  role_id,
  estimate_hours: String(hours),
  starts_on,
  ends_on,
})

describe('projectPlan', () => {
  it('counts dated tasks in working days, undated ones from their estimate, and planned starts as releases', () => {
    const { problem } = projectPlan({
      project,
      tasks: [
        task('a', '2027-01-04', '2027-01-15', 80), // two working weeks
        task('b', '2027-01-18', '2027-01-22', 20), // one week, half a person
        task('c', null, null, 20), // 2.5 days at full time: 3
        task('m', null, null, 0), // a milestone
      ],
      dependencies: [],
    })
    expect(problem.tasks).toEqual([
      { id: 'a', duration: 10, release: 0, demands: [{ resource: 'dev', amount: 1 }] },
      { id: 'b', duration: 5, release: 10, demands: [{ resource: 'dev', amount: 0.5 }] },
      { id: 'c', duration: 3, demands: [{ resource: 'dev', amount: 0.833 }] },
      { id: 'm', duration: 0, demands: [] },
    ])
    expect(problem.calendar).toEqual({ start: '2027-01-04', workingWeekdays: [1, 2, 3, 4, 5], holidays: [] })
    expect(
      projectPlan(
        { project, tasks: [task('a', '2027-01-11', '2027-01-15')], dependencies: [] },
        { starts: 'free' },
      ).problem.tasks[0],
    ).not.toHaveProperty('release')
  })

  it('reads calendar-day lags of all four types at the predecessor’s dates, across weekends', () => {
    const { problem } = projectPlan({
      project,
      tasks: [
        task('a', '2027-01-04', '2027-01-08'),
        task('b', '2027-01-13', '2027-01-19'),
        task('c', null, null),
      ],
      dependencies: [
        // Friday's finish + 3 calendar days = Monday 11th: Sat, Sun and Mon are one working day.
        { predecessor_task_id: 'a', successor_task_id: 'b', dependency_type: 'finish_to_start', lag_days: 3 },
        { predecessor_task_id: 'a', successor_task_id: 'c', dependency_type: 'start_to_start', lag_days: 7 },
        {
          predecessor_task_id: 'b',
          successor_task_id: 'c',
          dependency_type: 'finish_to_finish',
          lag_days: -2,
        },
        { predecessor_task_id: 'c', successor_task_id: 'x', dependency_type: 'start_to_finish', lag_days: 1 },
      ],
    })
    expect(problem.dependencies).toEqual([
      { from: 'a', to: 'b', type: 'finish_to_start', lag: 1 },
      { from: 'a', to: 'c', type: 'start_to_start', lag: 5 },
      // b finishes Tue 19th; two calendar days before the 20th are Mon and Tue.
      { from: 'b', to: 'c', type: 'finish_to_finish', lag: -2 },
    ])
  })

  it('gives each role the hours booked on the project, less time off and location holidays', () => {
    const rows: PlanRows = {
      project,
      tasks: [task('a', '2027-01-04', '2027-01-15', 80)],
      dependencies: [],
      people: [
        { id: 'ada', role_id: 'dev', weekly_capacity_hours: '40', location_id: 'london' },
        { id: 'bob', role_id: 'dev', weekly_capacity_hours: '40', location_id: 'berlin' },
      ],
      allocations: [
        {
          person_id: 'ada',
          project_id: 'p',
          kind: 'hard',
          starts_on: '2027-01-04',
          ends_on: '2027-01-15',
          hours_per_week: '40',
        },
        {
          person_id: 'bob',
          project_id: 'p',
          kind: 'soft',
          starts_on: '2027-01-11',
          ends_on: '2027-01-15',
          hours_per_week: '20',
        },
        {
          person_id: 'bob',
          project_id: 'other',
          kind: 'hard',
          starts_on: '2027-01-04',
          ends_on: '2027-01-08',
          hours_per_week: '40',
        },
      ],
      timeOff: [{ person_id: 'ada', starts_on: '2027-01-06', ends_on: '2027-01-06', hours_per_day: '4' }],
      holidays: [
        { location_id: 'london', holiday_date: '2027-01-05' },
        { location_id: 'berlin', holiday_date: '2027-01-05' }, // everyone's: a calendar holiday
        { location_id: 'berlin', holiday_date: '2027-01-12' }, // Bob's only
      ],
    }
    const { problem } = projectPlan(rows)
    expect(problem.calendar?.holidays).toEqual(['2027-01-05'])
    // Day 0 = Mon 4th, day 1 = Wed 6th (the 5th is a holiday), days 4-8 = 11th-15th.
    expect(problem.tasks[0]?.duration).toBe(9)
    expect(problem.resources).toEqual([
      {
        id: 'dev',
        capacity: 1.5,
        changes: [
          { from: 0, to: 1, capacity: 1 },
          { from: 1, to: 2, capacity: 0.5 },
          { from: 2, to: 4, capacity: 1 },
          { from: 5, to: 6, capacity: 1 },
        ],
      },
    ])
    const organisation = projectPlan(rows, { capacity: 'organisation' }).problem.resources[0]
    // Bob is booked elsewhere in the first week; both have 40 h otherwise.
    expect(organisation?.capacity).toBe(2)
    expect(organisation?.changes[0]).toEqual({ from: 0, to: 1, capacity: 1 })
  })

  it('feeds the planning engine: the critical path with dates, and a levelled schedule', async () => {
    const rows: PlanRows = {
      project,
      tasks: [
        task('a', '2027-01-04', '2027-01-08'),
        task('b', '2027-01-04', '2027-01-08'),
        task('c', '2027-01-11', '2027-01-15'),
      ],
      dependencies: [
        { predecessor_task_id: 'a', successor_task_id: 'c', dependency_type: 'finish_to_start', lag_days: 0 },
      ],
      people: [{ id: 'ada', role_id: 'dev', weekly_capacity_hours: 40, location_id: null }],
      allocations: [
        {
          person_id: 'ada',
          project_id: 'p',
          kind: 'hard',
          starts_on: '2027-01-04',
          ends_on: '2027-01-29',
          hours_per_week: 40,
        },
      ],
    }
    const cpm = criticalPath(projectPlan(rows).problem)
    expect(cpm.feasible && cpm.criticalTasks).toEqual(['a', 'c'])
    expect(cpm.feasible && cpm.tasks.find((t) => t.id === 'c')?.earlyFinishDate).toBe('2027-01-15')
    const levelled = await levelSchedule(projectPlan(rows, { starts: 'free' }).problem, { timeLimitMs: 200 })
    // One developer: the three weeks of work run one after another.
    expect(levelled.feasible && levelled.makespan).toBe(15)
  })
})
