import type { ScheduleProblemInput } from '../schedule/model.js'

/**
 * Found by a property test (seed -1149974232): t1 -> t2 (FF, lag -2) and t0 -> t1 (SF, lag -2) let each
 * left shift of t0 free t1 by one day and t1 free t2 by one, so justification needs more passes than there
 * are tasks (four for three) before every delayed task has a reason.
 */
export const NEGATIVE_LAG_CHAIN: ScheduleProblemInput = {
  tasks: [
    { id: 't0', duration: 3, release: 8, demands: [{ resource: 'r0', amount: 1 }] },
    {
      id: 't1',
      duration: 1,
      demands: [
        { resource: 'r0', amount: 1 },
        { resource: 'r1', amount: 1 },
      ],
    },
    {
      id: 't2',
      duration: 5,
      release: 1,
      demands: [
        { resource: 'r0', amount: 1 },
        { resource: 'r1', amount: 1 },
      ],
    },
  ],
  dependencies: [
    { from: 't1', to: 't2', type: 'finish_to_finish', lag: -2 },
    { from: 't0', to: 't1', type: 'start_to_finish', lag: -2 },
  ],
  resources: [
    { id: 'r0', capacity: 1, changes: [{ from: 11, to: 16, capacity: 2 }] },
    { id: 'r1', capacity: 1 },
  ],
}
