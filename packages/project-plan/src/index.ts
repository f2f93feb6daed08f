/**
 * @psa/project-plan — a project's database rows as a @psa/planning scheduling problem, so the gateway's
 * critical path and the agents' scheduling read a plan the same way. See README.md.
 */

export type { CapacitySource } from './capacity.js'
export { loadPlanRows, loadProjectRows } from './load.js'
export { type PlanOptions, type ProjectPlan, projectPlan } from './problem.js'
export type {
  PlanAllocationRow,
  PlanDependencyRow,
  PlanHolidayRow,
  PlanPersonRow,
  PlanRows,
  PlanTaskRow,
  PlanTimeOffRow,
  ProjectRows,
} from './rows.js'
