import { defineTool, type ToolResult } from '@psa/agent-runtime'
import { AppError } from '@psa/errors'
import { criticalPath, type DelayReason, levelSchedule } from '@psa/planning'
import { loadPlanRows, projectPlan } from '@psa/project-plan'
import { z } from 'zod'

interface Levelled {
  id: string
  finish: number
  delay: number
  delayedBy: DelayReason[]
  finishDate?: string
}

/**
 * Why the last task ends when it does: follow the reasons it (and each task delaying it) starts late back
 * through the plan; the first capacity shortage on the way is what sets the end date, else the dependencies.
 */
function bindingConstraint(tasks: readonly Levelled[], last: Levelled) {
  const byId = new Map(tasks.map((t) => [t.id, t]))
  const seen = new Set<string>()
  let current: Levelled | undefined = last
  while (current && !seen.has(current.id)) {
    seen.add(current.id)
    const resource = current.delayedBy.find((r) => r.kind === 'resource')
    if (resource && resource.kind === 'resource')
      return { kind: 'capacity' as const, task: current.id, reason: resource }
    const dependency: DelayReason | undefined = current.delayedBy.find((r) => r.kind === 'dependency')
    current = dependency && dependency.kind === 'dependency' ? byId.get(dependency.predecessor) : undefined
  }
  return { kind: 'dependencies' as const }
}

export const scheduleProject = defineTool({
  name: 'schedule_project',
  description:
    "Schedule a project with the planning engine: the critical path (all four dependency types with lags), then resource levelling against each role's real capacity in the organisation net of other bookings, time off and holidays. Says which constraint sets the end date (a role's capacity or the dependency chain) and which tasks levelling delays. Reads only.",
  inputSchema: z.object({ project_id: z.uuid().describe('The project to schedule') }),
  run: async (input, ctx): Promise<ToolResult> => {
    const loaded = await ctx.asUser(async (tx) => {
      const rows = await loadPlanRows(tx, ctx.session.organisationId, input.project_id, {
        capacity: 'organisation',
      })
      const project = await tx
        .selectFrom('projects')
        .select(['code', 'name', 'ends_on'])
        .where('id', '=', input.project_id)
        .where('organisation_id', '=', ctx.session.organisationId)
        .executeTakeFirst()
      const roles = await tx
        .selectFrom('roles')
        .select(['id', 'name'])
        .where('organisation_id', '=', ctx.session.organisationId)
        .execute()
      const tasks = await tx
        .selectFrom('tasks')
        .select(['id', 'name'])
        .where('project_id', '=', input.project_id)
        .execute()
      return { rows, project, roles, tasks }
    })
    if (!loaded.rows || !loaded.project)
      throw new AppError('NOT_FOUND', 'No such project in this organisation')
    const { project } = loaded
    const roleName = new Map(loaded.roles.map((r) => [r.id, r.name]))
    const taskName = new Map(loaded.tasks.map((t) => [t.id, t.name]))
    const name = (id: string) => taskName.get(id) ?? id
    const { problem } = projectPlan(loaded.rows, { starts: 'free' })
    if (problem.tasks.length === 0)
      throw new AppError('VALIDATION_FAILED', `${project.code} has no tasks to schedule`)
    const cpm = criticalPath(problem)
    if (!cpm.feasible) throw new AppError('VALIDATION_FAILED', cpm.message)
    const levelled = await levelSchedule(problem, { timeLimitMs: 1500, maxSchedules: 20_000, exact: 'off' })
    const cpmEnd = cpm.tasks.reduce(
      (end, t) => (t.earlyFinishDate && t.earlyFinishDate > end ? t.earlyFinishDate : end),
      '',
    )
    if (!levelled.feasible) {
      return {
        summary: `${project.code}: the critical path ends ${cpmEnd}; levelling is not possible: ${levelled.message}`,
        project_id: input.project_id,
        code: project.code,
        planned_end: project.ends_on,
        critical_path_end: cpmEnd,
        levelled: false,
        reason: levelled.message,
        critical_tasks: cpm.criticalTasks.slice(0, 15).map(name),
      }
    }
    const last = [...levelled.tasks].sort((a, b) => b.finish - a.finish)[0] as Levelled
    const binding = bindingConstraint(levelled.tasks, last)
    const constraint =
      binding.kind === 'capacity'
        ? `the capacity of ${roleName.get(binding.reason.resource) ?? binding.reason.resource}: "${name(binding.task)}" needs ${Math.round(binding.reason.needed * 100) / 100} people of it on a day when only ${Math.round(binding.reason.available * 100) / 100} are free (used by ${binding.reason.usedBy.slice(0, 3).map(name).join(', ')})`
        : `the dependency chain (the critical path: ${cpm.criticalTasks.slice(0, 6).map(name).join(' → ')})`
    const delayed = levelled.tasks
      .filter((t) => t.delayedBy.some((r) => r.kind === 'resource'))
      .sort((a, b) => b.delay - a.delay)
      .slice(0, 8)
      .map((t: Levelled) => ({ task: name(t.id), delay_days: t.delay, finish_date: t.finishDate ?? null }))
    const end = levelled.projectEndDate ?? last.finishDate ?? cpmEnd
    return {
      summary: `${project.code}: critical path ends ${cpmEnd}, levelled against real capacity ${end} (planned ${project.ends_on}); the end date is set by ${binding.kind === 'capacity' ? `${roleName.get(binding.reason.resource) ?? 'a role'}'s capacity` : 'the dependencies'}`,
      project_id: input.project_id,
      code: project.code,
      planned_end: project.ends_on,
      critical_path_end: cpmEnd,
      levelled_end: end,
      levelled: true,
      optimal: levelled.optimal,
      gap: Math.round(levelled.gap * 1000) / 1000,
      end_set_by: binding.kind,
      constraint,
      critical_tasks: cpm.criticalTasks.slice(0, 15).map(name),
      delayed_by_capacity: delayed,
    }
  },
})
