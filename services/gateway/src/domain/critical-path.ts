import { criticalPath as cpm } from '@psa/planning'
import { type PlanDependencyRow, type PlanTaskRow, projectPlan } from '@psa/project-plan'

export interface PlannedTask {
  id: string
  starts_on: string | null
  ends_on: string | null
}

export type PlannedDependency = PlanDependencyRow

export interface CriticalPath {
  /** Tasks with no slack against the project's finish, in start order. */
  task_ids: string[]
  /** Earliest finish of the plan as its dependencies allow (the last day of work). */
  finishes_on: string | null
}

/**
 * The plan's critical path, by @psa/planning's critical path method on the problem @psa/project-plan makes
 * of the dated tasks: working days Mon-Fri, lags in calendar days read at the predecessor's planned dates,
 * each planned start a "start no earlier than". Undated tasks have no place on the timeline, so they are
 * left out (as are dependencies touching them).
 */
export function criticalPath(
  tasks: readonly PlannedTask[],
  dependencies: readonly PlannedDependency[],
): CriticalPath {
  const dated: PlanTaskRow[] = tasks.flatMap((t) =>
    t.starts_on && t.ends_on
      ? [{ id: t.id, role_id: null, estimate_hours: 1, starts_on: t.starts_on, ends_on: t.ends_on }]
      : [],
  )
  const first = dated.reduce<string | null>(
    (min, t) => (min === null || (t.starts_on as string) < min ? t.starts_on : min),
    null,
  )
  if (first === null) return { task_ids: [], finishes_on: null }
  const { problem } = projectPlan({ project: { id: '', starts_on: first }, tasks: dated, dependencies })
  const result = cpm(problem, { maxCriticalPaths: 1 })
  if (!result.feasible) return { task_ids: [], finishes_on: null }
  const critical = result.tasks
    .filter((t) => t.critical)
    .sort((a, b) => a.earlyStart - b.earlyStart)
    .map((t) => t.id)
  const last = result.tasks.reduce((end, t) => (t.earlyFinish > end.earlyFinish ? t : end))
  return { task_ids: critical, finishes_on: last.earlyFinishDate ?? null }
}
