import type { Database } from '@psa/db'
import { criticalPath } from '@psa/planning'
import { createTenant, openTestDatabase, type Tenant } from '@psa/test-kit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadPlanRows, loadProjectRows } from './load.js'
import { projectPlan } from './problem.js'

let db: Database
let t: Tenant

beforeAll(async () => {
  db = openTestDatabase()
  t = await createTenant(db)
})

afterAll(async () => {
  await t?.drop()
  await db?.close()
})

describe('loadPlanRows', () => {
  it('reads the plan and the people booked on it, as the user sees it', async () => {
    const rows = await db.asUser(t.claims('viewer'), (tx) => loadPlanRows(tx, t.orgId, t.ids.project))
    expect(rows?.project).toEqual({ id: t.ids.project, starts_on: '2027-01-04' })
    expect(rows?.tasks[0]).toEqual(
      expect.objectContaining({
        id: expect.any(String),
        role_id: expect.anything(),
        estimate_hours: expect.anything(),
      }),
    )
    expect(rows?.tasks.map((x) => x.id).sort()).toEqual([...t.ids.tasks].sort())
    expect(rows?.dependencies).toEqual([
      {
        predecessor_task_id: t.ids.tasks[1],
        successor_task_id: t.ids.tasks[2],
        dependency_type: 'finish_to_start',
        lag_days: 1,
      },
    ])
    expect(rows?.people?.map((p) => p.id)).toEqual([t.ids.people[0]]) // Ada, the only one booked
    expect(rows?.allocations).toHaveLength(1)

    const cpm = criticalPath(projectPlan(rows as NonNullable<typeof rows>).problem)
    expect(cpm.feasible && cpm.criticalTasks).toEqual([t.ids.tasks[1], t.ids.tasks[2]])
  })

  it("takes every active person of the tasks' roles for the organisation's capacity", async () => {
    const rows = await db.asUser(t.claims('viewer'), (tx) =>
      loadPlanRows(tx, t.orgId, t.ids.project, { capacity: 'organisation' }),
    )
    expect(rows?.people?.map((p) => p.id).sort()).toEqual([...t.ids.people].sort())
  })

  it('reads the stored project with its phases, milestones and versions (what baselines and replans need)', async () => {
    const rows = await db.asUser(t.claims('viewer'), (tx) => loadProjectRows(tx, t.orgId, t.ids.project))
    expect(rows?.project).toMatchObject({
      id: t.ids.project,
      starts_on: '2027-01-04',
      version: expect.any(Number),
    })
    expect(rows?.tasks.map((x) => x.id).sort()).toEqual([...t.ids.tasks].sort())
    expect(rows?.tasks.every((x) => typeof x.version === 'number' && typeof x.name === 'string')).toBe(true)
    expect(Array.isArray(rows?.phases) && Array.isArray(rows?.milestones)).toBe(true)
    expect(rows?.dependencies).toHaveLength(1)
    // The project exists, but not in the organisation asked about.
    expect(
      await db.asUser(t.claims('viewer'), (tx) => loadProjectRows(tx, t.otherOrgId, t.ids.project)),
    ).toBeNull()
  })

  it("finds no plan in another organisation's project", async () => {
    const rows = await db.asUser(t.claims('viewer'), (tx) =>
      loadPlanRows(tx, t.otherOrgId, t.ids.otherProject),
    )
    expect(rows).toBeNull()
  })
})
