import type { Tx } from '@psa/db'
import type { CapacitySource } from './capacity.js'
import type { PlanAllocationRow, PlanRows, ProjectRows } from './rows.js'

/**
 * Reads a project of `organisationId` as whoever `tx` is (as a user, RLS decides what they see): the project,
 * its phases, tasks, dependencies and milestones. Null when it is not there (or not visible). The
 * organisation is checked besides RLS: a user in two organisations only reaches the one asked about.
 */
export async function loadProjectRows(
  tx: Tx,
  organisationId: string,
  projectId: string,
): Promise<ProjectRows | null> {
  const project = await tx
    .selectFrom('projects')
    .select(['id', 'code', 'name', 'status', 'starts_on', 'ends_on', 'budget_minor', 'currency', 'version'])
    .where('organisation_id', '=', organisationId)
    .where('id', '=', projectId)
    .executeTakeFirst()
  if (!project) return null
  const [phases, tasks, dependencies, milestones] = await Promise.all([
    tx
      .selectFrom('phases')
      .select(['id', 'name', 'starts_on', 'ends_on'])
      .where('organisation_id', '=', organisationId)
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
      .where('organisation_id', '=', organisationId)
      .where('project_id', '=', projectId)
      .orderBy('starts_on')
      .orderBy('id')
      .execute(),
    tx
      .selectFrom('task_dependencies')
      .select(['predecessor_task_id', 'successor_task_id', 'dependency_type', 'lag_days'])
      .where('organisation_id', '=', organisationId)
      .where('project_id', '=', projectId)
      .orderBy('id')
      .execute(),
    tx
      .selectFrom('milestones')
      .select(['id', 'name', 'due_on', 'completed_on', 'version'])
      .where('organisation_id', '=', organisationId)
      .where('project_id', '=', projectId)
      .orderBy('due_on')
      .execute(),
  ])
  return {
    project: project as ProjectRows['project'],
    phases,
    tasks: tasks as ProjectRows['tasks'],
    dependencies,
    milestones,
  }
}

/** Rows of `table` about these people that end on or after `from` (bookings, time off), in id order. */
function ofPeopleFrom<T extends 'allocations' | 'time_off'>(
  tx: Tx,
  table: T,
  organisationId: string,
  personIds: readonly string[],
  from: string,
) {
  return tx
    .selectFrom(table as 'allocations' | 'time_off')
    .where('organisation_id', '=', organisationId)
    .where('person_id', 'in', [...personIds])
    .where('ends_on', '>=', from)
    .orderBy('id')
}

/**
 * Reads a project's plan rows as whoever `tx` is: its tasks and dependencies (`loadProjectRows`), and the
 * people behind its roles — with 'project' those booked on it, with 'organisation' every active person of a
 * role its tasks need — with their bookings from the project's start on, their time off and their locations'
 * holidays. Null when the project is not there (or not visible).
 */
export async function loadPlanRows(
  tx: Tx,
  organisationId: string,
  projectId: string,
  options: { capacity?: CapacitySource } = {},
): Promise<PlanRows | null> {
  const rows = await loadProjectRows(tx, organisationId, projectId)
  if (!rows) return null
  const { project, tasks, dependencies } = rows
  const roleIds = [...new Set(tasks.flatMap((t) => (t.role_id ? [t.role_id] : [])))]
  let people = tx
    .selectFrom('people')
    .select(['id', 'role_id', 'weekly_capacity_hours', 'location_id'])
    .where('organisation_id', '=', organisationId)
  people =
    (options.capacity ?? 'project') === 'project'
      ? people.where('id', 'in', (q) =>
          q.selectFrom('allocations').select('person_id').where('project_id', '=', projectId),
        )
      : people.where('active', '=', true).where('role_id', 'in', roleIds.length > 0 ? roleIds : [''])
  const staff = roleIds.length > 0 ? await people.orderBy('id').execute() : []
  const personIds = staff.map((p) => p.id)
  const locationIds = [...new Set(staff.flatMap((p) => (p.location_id ? [p.location_id] : [])))]
  const [allocations, timeOff, holidays] = await Promise.all([
    personIds.length === 0
      ? []
      : (ofPeopleFrom(tx, 'allocations', organisationId, personIds, project.starts_on)
          .select(['person_id', 'project_id', 'kind', 'starts_on', 'ends_on', 'hours_per_week'])
          // The helper's two-table builder widens `kind` to both tables' enums; these rows are bookings.
          .execute() as Promise<PlanAllocationRow[]>),
    personIds.length === 0
      ? []
      : ofPeopleFrom(tx, 'time_off', organisationId, personIds, project.starts_on)
          .select(['person_id', 'starts_on', 'ends_on', 'hours_per_day'])
          .execute(),
    locationIds.length === 0
      ? []
      : tx
          .selectFrom('holidays')
          .select(['location_id', 'holiday_date'])
          .where('organisation_id', '=', organisationId)
          .where('location_id', 'in', locationIds)
          .orderBy('holiday_date')
          .execute(),
  ])
  return {
    project: { id: project.id, starts_on: project.starts_on },
    tasks,
    dependencies,
    people: staff,
    allocations,
    timeOff,
    holidays,
  }
}
