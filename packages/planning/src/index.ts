/**
 * @psa/planning — the planning engine: critical path, resource levelling (RCPSP with generalised
 * precedence) and staffing optimisation (generalised assignment). Pure: no database, no I/O; the parsers
 * take text and the CLIs live in src/cli. See README.md for the models, the algorithms and their sources.
 */

export { checkAssignment } from './assign/check.js'
// Staffing model and algorithms
export {
  type AssignmentOptions,
  type AssignmentProblem,
  type AssignmentProblemInput,
  assignmentOptionsSchema,
  assignmentProblemSchema,
} from './assign/model.js'
export { type Assignment, type AssignmentResult, type NoAssignment, solveAssignment } from './assign/solve.js'
export {
  planStaffing,
  type StaffingCandidate,
  type StaffingPlan,
  type StaffingProblemInput,
  type StaffingRequest,
  type StaffingResult,
  type StaffingScore,
  scoreStaffing,
  staffingProblemSchema,
} from './assign/staffing.js'
export { type CalendarInput, type WorkingCalendar, workingCalendar } from './calendar.js'
// Benchmark formats and generators (text in, models out)
export { FormatError } from './formats/format-error.js'
export { parseOrlibGap } from './formats/orlib-gap.js'
export { parsePsplib } from './formats/psplib.js'
export { generateGap } from './generators/gap.js'
export { generateRcpsp, psplibLikeSet, type RcpspParameters } from './generators/rcpsp.js'
export { checkSchedule } from './schedule/check.js'
export {
  type CpmResult,
  type CpmSchedule,
  type CpmTask,
  criticalPath,
  type TemporalInfeasibility,
} from './schedule/cpm.js'
export type { DelayReason } from './schedule/explain.js'
export {
  type LevelledSchedule,
  type LevelledTask,
  type LevelOptions,
  type LevelResult,
  levelOptionsSchema,
  levelSchedule,
  type NoScheduleFound,
  type ResourceInfeasibility,
} from './schedule/level.js'
// Scheduling model and algorithms
export {
  type Calendar,
  calendarSchema,
  capacityChangeSchema,
  type Dependency,
  type DependencyType,
  demandSchema,
  dependencySchema,
  dependencyTypeSchema,
  type Resource,
  resourceSchema,
  type ScheduleProblem,
  type ScheduleProblemInput,
  scheduleProblemSchema,
  type Task,
  taskSchema,
} from './schedule/model.js'
