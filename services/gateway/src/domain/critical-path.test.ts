import { describe, expect, it } from 'vitest'
import { criticalPath, type PlannedDependency } from './critical-path.js'

const fs = (a: string, b: string, lag = 0): PlannedDependency => ({
  predecessor_task_id: a,
  successor_task_id: b,
  dependency_type: 'finish_to_start',
  lag_days: lag,
})

describe('criticalPath', () => {
  it('follows the chain that sets the finish, across weekends, and leaves tasks with slack off it', () => {
    const tasks = [
      { id: 'design', starts_on: '2027-01-04', ends_on: '2027-01-15' }, // Mon .. Fri
      { id: 'build', starts_on: '2027-01-18', ends_on: '2027-02-12' }, // the Monday after
      { id: 'content', starts_on: '2027-01-18', ends_on: '2027-01-29' }, // two weeks of slack
      { id: 'launch', starts_on: '2027-02-15', ends_on: '2027-02-19' },
      { id: 'undated', starts_on: null, ends_on: null },
    ]
    const deps = [
      fs('design', 'build'),
      fs('design', 'content'),
      fs('build', 'launch'),
      fs('content', 'launch'),
    ]
    expect(criticalPath(tasks, deps)).toEqual({
      task_ids: ['design', 'build', 'launch'],
      finishes_on: '2027-02-19',
    })
  })

  it('reads lags in calendar days and handles start-to-start and finish-to-finish links', () => {
    const tasks = [
      { id: 'a', starts_on: '2027-03-01', ends_on: '2027-03-12' },
      { id: 'b', starts_on: '2027-03-08', ends_on: '2027-03-19' }, // SS + 7 days: no slack
      { id: 'c', starts_on: '2027-03-10', ends_on: '2027-03-19' }, // FF with b: finishes with it
      { id: 'd', starts_on: '2027-03-01', ends_on: '2027-03-03' },
    ]
    const deps: PlannedDependency[] = [
      { predecessor_task_id: 'a', successor_task_id: 'b', dependency_type: 'start_to_start', lag_days: 7 },
      { predecessor_task_id: 'b', successor_task_id: 'c', dependency_type: 'finish_to_finish', lag_days: 0 },
    ]
    const path = criticalPath(tasks, deps)
    expect(path.task_ids).toEqual(['a', 'b', 'c'])
    expect(path.finishes_on).toBe('2027-03-19')
  })

  it('has nothing to say about a plan without dates', () => {
    expect(criticalPath([{ id: 'x', starts_on: null, ends_on: null }], [])).toEqual({
      task_ids: [],
      finishes_on: null,
    })
  })
})
