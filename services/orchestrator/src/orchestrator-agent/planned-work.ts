import type { Changeset } from '@psa/changesets'
import { z } from 'zod'

/** One role's share of proposed work: its hours and the days its tasks span. */
export const roleWorkSchema = z.object({
  role: z.string(),
  role_id: z.string(),
  hours: z.number().nonnegative(),
  starts_on: z.iso.date(),
  ends_on: z.iso.date(),
})
export type RoleWork = z.infer<typeof roleWorkSchema>

/**
 * The work a child's proposals would create (a plan's tasks), summarised for the next delegation: the
 * project, and hours per role with the period each role works in, most hours first.
 */
export const plannedWorkSchema = z.object({
  project: z
    .object({
      id: z.string(),
      name: z.string(),
      code: z.string().nullable(),
      client_id: z.string().nullable(),
      starts_on: z.iso.date().nullable(),
      ends_on: z.iso.date().nullable(),
    })
    .nullable(),
  starts_on: z.iso.date(),
  ends_on: z.iso.date(),
  roles: z.array(roleWorkSchema),
  total_hours: z.number().nonnegative(),
  /** Hours of tasks that name no role (nobody can be staffed or priced for them). */
  unassigned_hours: z.number().nonnegative(),
})
export type PlannedWork = z.infer<typeof plannedWorkSchema>

const taskValuesSchema = z.object({
  role_id: z.string().nullable().optional(),
  estimate_hours: z.union([z.number(), z.string()]).nullable().optional(),
  starts_on: z.iso.date().nullable().optional(),
  ends_on: z.iso.date().nullable().optional(),
})

const projectValuesSchema = z.object({
  id: z.string(),
  name: z.string(),
  code: z.string().nullable().optional(),
  client_id: z.string().nullable().optional(),
  starts_on: z.iso.date().nullable().optional(),
  ends_on: z.iso.date().nullable().optional(),
})

/** Hours in tenths: estimates may be fractional, and sums of floats drift. */
const tenths = (hours: number) => Math.round(hours * 10)

/**
 * Reads the tasks (and the project) that proposals insert and sums their estimates per role. Returns null
 * when the proposals insert no estimated task, i.e. they are not a plan. `roleNames` maps role ids to the
 * organisation's role names; a role id it does not know is reported under its id.
 */
export function summarisePlannedWork(
  changesets: readonly Changeset[],
  roleNames: ReadonlyMap<string, string>,
): PlannedWork | null {
  const byRole = new Map<string, { tenths: number; starts: string[]; ends: string[] }>()
  let project: PlannedWork['project'] = null
  let unassigned = 0
  let tasks = 0
  const starts: string[] = []
  const ends: string[] = []
  for (const changeset of changesets) {
    for (const op of changeset.operations) {
      if (op.op !== 'insert') continue
      if (op.table === 'projects' && project === null) {
        const parsed = projectValuesSchema.safeParse(op.values)
        if (parsed.success) {
          const p = parsed.data
          project = {
            id: p.id,
            name: p.name,
            code: p.code ?? null,
            client_id: p.client_id ?? null,
            starts_on: p.starts_on ?? null,
            ends_on: p.ends_on ?? null,
          }
        }
        continue
      }
      if (op.table !== 'tasks') continue
      const parsed = taskValuesSchema.safeParse(op.values)
      if (!parsed.success) continue
      const task = parsed.data
      const hours = Number(task.estimate_hours ?? 0)
      if (!Number.isFinite(hours) || hours <= 0) continue
      tasks++
      if (task.starts_on) starts.push(task.starts_on)
      if (task.ends_on) ends.push(task.ends_on)
      if (!task.role_id) {
        unassigned += tenths(hours)
        continue
      }
      const entry = byRole.get(task.role_id) ?? { tenths: 0, starts: [], ends: [] }
      entry.tenths += tenths(hours)
      if (task.starts_on) entry.starts.push(task.starts_on)
      if (task.ends_on) entry.ends.push(task.ends_on)
      byRole.set(task.role_id, entry)
    }
  }
  if (tasks === 0) return null
  const first = (dates: string[]) => [...dates].sort()[0]
  const last = (dates: string[]) => [...dates].sort().at(-1)
  const startsOn = project?.starts_on ?? first(starts)
  const endsOn = project?.ends_on ?? last(ends)
  if (!startsOn || !endsOn) return null
  const roles = [...byRole.entries()]
    .map(([roleId, entry]) => ({
      role: roleNames.get(roleId) ?? roleId,
      role_id: roleId,
      hours: entry.tenths / 10,
      starts_on: first(entry.starts) ?? startsOn,
      ends_on: last(entry.ends) ?? endsOn,
    }))
    // Most hours first; ties by name so the order never depends on the changeset's order.
    .sort((a, b) => b.hours - a.hours || a.role.localeCompare(b.role))
  const totalTenths = [...byRole.values()].reduce((sum, e) => sum + e.tenths, 0) + unassigned
  return {
    project,
    starts_on: startsOn,
    ends_on: endsOn,
    roles,
    total_hours: totalTenths / 10,
    unassigned_hours: unassigned / 10,
  }
}
