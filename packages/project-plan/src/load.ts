import type { Tx } from '@psa/db'
import type { CapacitySource } from './capacity.js'
import type { PlanRows } from './rows.js'

/**
 * Reads a project's plan rows as whoever `tx` is (as a user, RLS decides what they see): its tasks and
 * dependencies, and the people behind its roles — with 'project' those booked on it, with 'organisation'
 * every active person of a role its tasks need — with their bookings from the project's start on, their time
 * off and their locations' holidays. Null when the project is not there (or not visible).
 */
export async function loadPlanRows(
  tx: Tx,
  organisationId: string,
  projectId: string,
  options: { capacity?: CapacitySource } = {},
): Promise<PlanRows | null> {
  const project = await tx
    .selectFrom('projects')
    .select(['id', 'starts_on'])
    .where('organisation_id', '=', organisationId)
    .where('id', '=', projectId)
    .executeTakeFirst()
  if (!project) return null
  const [tasks, dependencies] = await Promise.all([
    tx
      .selectFrom('tasks')
      .select(['id', 'role_id', 'estimate_hours', 'starts_on', 'ends_on'])
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
  ])

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
      : tx
          .selectFrom('allocations')
          .select(['person_id', 'project_id', 'kind', 'starts_on', 'ends_on', 'hours_per_week'])
          .where('organisation_id', '=', organisationId)
          .where('person_id', 'in', personIds)
          .where('ends_on', '>=', project.starts_on)
          .orderBy('id')
          .execute(),
    personIds.length === 0
      ? []
      : tx
          .selectFrom('time_off')
          .select(['person_id', 'starts_on', 'ends_on', 'hours_per_day'])
          .where('organisation_id', '=', organisationId)
          .where('person_id', 'in', personIds)
          .where('ends_on', '>=', project.starts_on)
          .orderBy('id')
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
  return { project, tasks, dependencies, people: staff, allocations, timeOff, holidays }
}
