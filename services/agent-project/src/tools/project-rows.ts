import type { AgentToolContext } from '@psa/agent-runtime'
import type { Tx } from '@psa/db'
import { AppError } from '@psa/errors'

/** A project's plan as stored: what baselines, comparisons, replans and scheduling read. */
export interface ProjectRows {
  project: {
    id: string
    code: string
    name: string
    status: string
    starts_on: string
    ends_on: string
    budget_minor: string | null
    currency: string
    version: number
  }
  phases: { id: string; name: string; starts_on: string | null; ends_on: string | null }[]
  tasks: {
    id: string
    name: string
    phase_id: string | null
    role_id: string | null
    estimate_hours: string
    starts_on: string | null
    ends_on: string | null
    status: string
    percent_complete: string
    assignee_person_id: string | null
    version: number
  }[]
  dependencies: {
    predecessor_task_id: string
    successor_task_id: string
    dependency_type: string
    lag_days: number
  }[]
  milestones: { id: string; name: string; due_on: string; completed_on: string | null; version: number }[]
}

/**
 * Loads a project of the session's organisation as the submitting user. The id comes from the model, so it is
 * checked twice: RLS bounds what the user sees, and the row must belong to the session's organisation (a
 * user in two organisations only reaches the one the session was made in).
 */
export async function loadProjectRows(
  tx: Tx,
  ctx: AgentToolContext,
  projectId: string,
): Promise<ProjectRows> {
  const project = await tx
    .selectFrom('projects')
    .select(['id', 'code', 'name', 'status', 'starts_on', 'ends_on', 'budget_minor', 'currency', 'version'])
    .where('id', '=', projectId)
    .where('organisation_id', '=', ctx.session.organisationId)
    .executeTakeFirst()
  if (!project)
    throw new AppError('NOT_FOUND', 'No such project in this organisation', { details: { projectId } })
  const [phases, tasks, dependencies, milestones] = await Promise.all([
    tx
      .selectFrom('phases')
      .select(['id', 'name', 'starts_on', 'ends_on'])
      .where('project_id', '=', projectId)
      .orderBy('sequence')
      .execute(),
    tx
      .selectFrom('tasks')
      .select([
        'id',
        'name',
        'phase_id',
        'role_id',
        'estimate_hours',
        'starts_on',
        'ends_on',
        'status',
        'percent_complete',
        'assignee_person_id',
        'version',
      ])
      .where('project_id', '=', projectId)
      .orderBy('starts_on')
      .orderBy('id')
      .execute(),
    tx
      .selectFrom('task_dependencies')
      .select(['predecessor_task_id', 'successor_task_id', 'dependency_type', 'lag_days'])
      .where('project_id', '=', projectId)
      .execute(),
    tx
      .selectFrom('milestones')
      .select(['id', 'name', 'due_on', 'completed_on', 'version'])
      .where('project_id', '=', projectId)
      .orderBy('due_on')
      .execute(),
  ])
  return {
    project: project as ProjectRows['project'],
    phases: phases as ProjectRows['phases'],
    tasks: tasks as ProjectRows['tasks'],
    dependencies: dependencies as ProjectRows['dependencies'],
    milestones: milestones as ProjectRows['milestones'],
  }
}
