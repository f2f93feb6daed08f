import { randomUUID } from 'node:crypto'
import type { Database } from '@psa/db'
import { AppError } from '@psa/errors'
import { createTenant, openTestDatabase, type Tenant } from '@psa/test-kit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AGENT_WRITABLE_TABLES } from './catalog.js'
import { applyProposal, rejectProposal, revertProposal } from './proposals.js'

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

type Snapshot = Record<string, Record<string, Record<string, unknown>>>

/** Every row of every writable table of the organisation, as Postgres prints it, by table and id. */
async function snapshot(orgId = t.orgId): Promise<Snapshot> {
  const out: Snapshot = {}
  for (const table of AGENT_WRITABLE_TABLES) {
    const rows = await db.sql.unsafe(
      `select to_jsonb(t.*) as row from public.${table} t where organisation_id = $1 order by id`,
      [orgId],
    )
    out[table] = Object.fromEntries(rows.map((r) => [r.row.id, r.row]))
  }
  return out
}

function withoutBookkeeping(s: Snapshot): Snapshot {
  return Object.fromEntries(
    Object.entries(s).map(([table, rows]) => [
      table,
      Object.fromEntries(
        Object.entries(rows).map(([id, row]) => {
          const { version: _v, updated_at: _u, ...rest } = row
          return [id, rest]
        }),
      ),
    ]),
  )
}

async function proposal(id: string) {
  const rows = await db.sql`select * from public.proposals where id = ${id}`
  return rows[0] as Record<string, unknown> & { status: string; version: number; error: unknown }
}

async function caught(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise
  } catch (err) {
    expect(err).toBeInstanceOf(AppError)
    return err as AppError
  }
  throw new Error('expected the call to fail')
}

describe('applyProposal / revertProposal', () => {
  it('applies a mixed changeset in one go and reverts it exactly', async () => {
    const newPhase = randomUUID()
    const newTask = randomUUID()
    const newDependency = randomUUID()
    const newBaseline = randomUUID()
    const before = await snapshot()
    const { proposalId } = await t.createProposal({
      version: 1,
      operations: [
        {
          op: 'insert',
          table: 'phases',
          values: { id: newPhase, project_id: t.ids.project, name: 'Hypercare', sequence: 3 },
        },
        {
          op: 'insert',
          table: 'tasks',
          values: {
            id: newTask,
            project_id: t.ids.project,
            phase_id: newPhase,
            name: 'Monitor launch',
            estimate_hours: 24.5,
            starts_on: '2027-03-29',
            ends_on: '2027-04-09',
          },
        },
        {
          op: 'insert',
          table: 'task_dependencies',
          values: {
            id: newDependency,
            project_id: t.ids.project,
            predecessor_task_id: t.ids.tasks[2],
            successor_task_id: newTask,
          },
        },
        {
          op: 'insert',
          table: 'baselines',
          values: {
            id: newBaseline,
            project_id: t.ids.project,
            name: 'Plan v2',
            snapshot: { tasks: 4, nested: [1] },
          },
        },
        {
          op: 'update',
          table: 'projects',
          id: t.ids.project,
          expected_version: 1,
          set: { budget_minor: 17500000, health: 'amber', ends_on: '2027-04-09' },
        },
        { op: 'update', table: 'tasks', id: newTask, set: { name: 'Monitor the launch' } },
        { op: 'update', table: 'quote_lines', id: t.ids.quoteLines[1], set: { likely_hours: 90.25 } },
        // Deleting the first phase clears tasks[0].phase_id (on delete set null): restored on revert.
        { op: 'delete', table: 'phases', id: t.ids.phases[0], expected_version: 1 },
        // Deleting the milestone and the dependency (no version column: no guard from the agent).
        { op: 'delete', table: 'milestones', id: t.ids.milestone, expected_version: 1 },
        { op: 'delete', table: 'task_dependencies', id: t.ids.dependency },
        // Re-sequence the remaining phase after the first one is gone.
        { op: 'update', table: 'phases', id: t.ids.phases[1], expected_version: 1, set: { sequence: 1 } },
      ],
    })

    const applied = await applyProposal(db, t.claims('manager'), proposalId, { expectedVersion: 1 })
    expect(applied).toMatchObject({ status: 'applied', applied_by: t.users.manager.id, error: null })
    expect(applied.applied_at).toBeInstanceOf(Date)

    const during = await snapshot()
    expect(during.phases?.[newPhase]).toMatchObject({ name: 'Hypercare', organisation_id: t.orgId })
    expect(during.tasks?.[newTask]).toMatchObject({
      name: 'Monitor the launch',
      estimate_hours: 24.5,
      version: 2,
    })
    expect(during.projects?.[t.ids.project]).toMatchObject({
      budget_minor: 17500000,
      health: 'amber',
      version: 2,
    })
    expect(during.tasks?.[t.ids.tasks[0]]?.phase_id).toBeNull()
    expect(during.phases?.[t.ids.phases[0]]).toBeUndefined()
    expect(during.milestones?.[t.ids.milestone]).toBeUndefined()
    expect(during.task_dependencies?.[t.ids.dependency]).toBeUndefined()
    expect(during.baselines?.[newBaseline]?.snapshot).toEqual({ tasks: 4, nested: [1] })
    expect(during.quote_lines?.[t.ids.quoteLines[1]]?.likely_hours).toBe(90.25)

    const reverted = await revertProposal(db, t.claims('admin'), proposalId)
    expect(reverted).toMatchObject({ status: 'reverted', reverted_by: t.users.admin.id })

    const after = await snapshot()
    // Every value is back; rows that were updated twice carry a newer version and updated_at.
    expect(withoutBookkeeping(after)).toEqual(withoutBookkeeping(before))
    // Deleted rows come back whole, version and timestamps included.
    expect(after.phases?.[t.ids.phases[0]]).toEqual(before.phases?.[t.ids.phases[0]])
    expect(after.milestones?.[t.ids.milestone]).toEqual(before.milestones?.[t.ids.milestone])
    expect(after.task_dependencies?.[t.ids.dependency]).toEqual(before.task_dependencies?.[t.ids.dependency])
  })

  it('reports a row changed since the agent read it as VERSION_CONFLICT and records the failure', async () => {
    await db.sql`update public.milestones set name = 'Go-live (moved)' where id = ${t.ids.milestone}`
    const current = (await db.sql`select version from public.milestones where id = ${t.ids.milestone}`)[0]
    const newMilestone = randomUUID()
    const { proposalId } = await t.createProposal({
      version: 1,
      operations: [
        {
          op: 'insert',
          table: 'milestones',
          values: { id: newMilestone, project_id: t.ids.project, name: 'UAT', due_on: '2027-03-19' },
        },
        {
          op: 'update',
          table: 'milestones',
          id: t.ids.milestone,
          expected_version: 1,
          set: { due_on: '2027-04-02' },
        },
      ],
    })
    const err = await caught(applyProposal(db, t.claims('admin'), proposalId))
    expect(err.code).toBe('VERSION_CONFLICT')
    expect(err.httpStatus).toBe(409)
    expect(err.details).toMatchObject({
      table: 'milestones',
      id: t.ids.milestone,
      operation: 1,
      expected_version: 1,
      current_version: current?.version,
      proposal_status: 'failed',
    })
    // Nothing of the changeset stayed; the proposal says why it failed.
    expect((await db.sql`select 1 from public.milestones where id = ${newMilestone}`).length).toBe(0)
    const stored = await proposal(proposalId)
    expect(stored.status).toBe('failed')
    expect(stored.error).toMatchObject({ code: 'VERSION_CONFLICT', details: { table: 'milestones' } })

    // A failed proposal can still be rejected.
    const rejected = await rejectProposal(db, t.claims('manager'), proposalId)
    expect(rejected.status).toBe('rejected')
  })

  it('refuses to revert when a row changed after the apply, and reverts nothing', async () => {
    const { proposalId } = await t.createProposal({
      version: 1,
      operations: [
        { op: 'update', table: 'tasks', id: t.ids.tasks[2], set: { estimate_hours: 20 } },
        { op: 'update', table: 'resource_requests', id: t.ids.resourceRequest, set: { hours_per_week: 25 } },
      ],
    })
    await applyProposal(db, t.claims('admin'), proposalId)
    await db.sql`update public.resource_requests set notes = 'edited by a person' where id = ${t.ids.resourceRequest}`
    const err = await caught(revertProposal(db, t.claims('admin'), proposalId))
    expect(err.code).toBe('VERSION_CONFLICT')
    expect(err.details).toMatchObject({ table: 'resource_requests', id: t.ids.resourceRequest, op: 'update' })
    const task = (await db.sql`select estimate_hours from public.tasks where id = ${t.ids.tasks[2]}`)[0]
    expect(task?.estimate_hours).toBe('20.00')
    expect((await proposal(proposalId)).status).toBe('applied')
  })

  it('leaves decisions to managers and above, and hides other organisations’ proposals', async () => {
    const { proposalId } = await t.createProposal({
      version: 1,
      operations: [{ op: 'update', table: 'tasks', id: t.ids.tasks[2], set: { name: 'Launch day' } }],
    })
    for (const who of ['member', 'viewer'] as const) {
      const err = await caught(applyProposal(db, t.claims(who), proposalId))
      expect(err.code).toBe('FORBIDDEN')
    }
    expect((await caught(rejectProposal(db, t.claims('member'), proposalId))).code).toBe('FORBIDDEN')
    // Another organisation's admin cannot even tell the proposal exists.
    expect((await caught(applyProposal(db, t.claims('otherAdmin'), proposalId))).code).toBe('NOT_FOUND')
    const theirs = await t.createProposal(
      {
        version: 1,
        operations: [{ op: 'update', table: 'projects', id: t.ids.otherProject, set: { health: 'red' } }],
      },
      { organisationId: t.otherOrgId },
    )
    expect((await caught(applyProposal(db, t.claims('owner'), theirs.proposalId))).code).toBe('NOT_FOUND')
    expect((await proposal(proposalId)).status).toBe('pending')
    expect((await proposal(theirs.proposalId)).status).toBe('pending')
  })

  it('cannot reach rows of another organisation through a changeset', async () => {
    const milestone = randomUUID()
    const { proposalId } = await t.createProposal({
      version: 1,
      operations: [
        // organisation_id is forced to the proposal's organisation.
        {
          op: 'insert',
          table: 'milestones',
          values: {
            id: milestone,
            organisation_id: t.otherOrgId,
            project_id: t.ids.project,
            name: 'Sign-off',
            due_on: '2027-03-30',
          },
        },
      ],
    })
    await applyProposal(db, t.claims('admin'), proposalId)
    const row = (await db.sql`select organisation_id from public.milestones where id = ${milestone}`)[0]
    expect(row?.organisation_id).toBe(t.orgId)

    const { proposalId: crossOrg } = await t.createProposal({
      version: 1,
      operations: [{ op: 'update', table: 'projects', id: t.ids.otherProject, set: { health: 'red' } }],
    })
    const err = await caught(applyProposal(db, t.claims('admin'), crossOrg))
    expect(err.code).toBe('NOT_FOUND')
    expect(err.details).toMatchObject({ table: 'projects', id: t.ids.otherProject, reason: 'row_not_found' })
  })

  it.each([
    [
      'a table agents may not change',
      { op: 'update', table: 'people', id: '00000000-0000-4000-8000-000000000000', set: { full_name: 'x' } },
      'table_not_allowed',
    ],
    ['an unknown column', { op: 'update', table: 'tasks', id: 'T2', set: { secret: 1 } }, 'unknown_column'],
    [
      'a server-managed column',
      { op: 'update', table: 'tasks', id: 'T2', set: { version: 9 } },
      'column_not_allowed',
    ],
    [
      'a changed identity',
      { op: 'update', table: 'tasks', id: 'T2', set: { organisation_id: 'x' } },
      'column_not_allowed',
    ],
    [
      'a version guard on a table without versions',
      { op: 'delete', table: 'task_dependencies', id: 'DEP', expected_version: 1 },
      'table_not_versioned',
    ],
    [
      'a delete that would clear time entries',
      { op: 'delete', table: 'tasks', id: 'T0', expected_version: 1 },
      'affects_protected_rows',
    ],
  ])('refuses %s (VALIDATION_FAILED, recorded)', async (_name, op, reason) => {
    const resolved = JSON.parse(
      JSON.stringify(op)
        .replace('"T2"', JSON.stringify(t.ids.tasks[2]))
        .replace('"T0"', JSON.stringify(t.ids.tasks[0]))
        .replace('"DEP"', JSON.stringify(t.ids.dependency)),
    )
    const before = await snapshot()
    const { proposalId } = await t.createProposal({ version: 1, operations: [resolved] })
    const err = await caught(applyProposal(db, t.claims('admin'), proposalId))
    expect(err.code).toBe('VALIDATION_FAILED')
    expect(err.details).toMatchObject({ reason, operation: 0 })
    expect(await snapshot()).toEqual(before)
    expect((await proposal(proposalId)).status).toBe('failed')
  })

  it('rolls back everything when a later operation breaks a rule of the data', async () => {
    const phase = randomUUID()
    const { proposalId } = await t.createProposal({
      version: 1,
      operations: [
        {
          op: 'insert',
          table: 'phases',
          values: { id: phase, project_id: t.ids.project, name: 'Extra', sequence: 9 },
        },
        {
          op: 'insert',
          table: 'tasks',
          values: {
            id: randomUUID(),
            project_id: t.ids.project,
            name: 'Backwards',
            starts_on: '2027-02-10',
            ends_on: '2027-02-01',
          },
        },
      ],
    })
    const err = await caught(applyProposal(db, t.claims('admin'), proposalId))
    expect(err.code).toBe('VALIDATION_FAILED')
    expect(err.details).toMatchObject({ constraint: 'tasks_dates_ordered', operation: 1, table: 'tasks' })
    expect((await db.sql`select 1 from public.phases where id = ${phase}`).length).toBe(0)
    const stored = await proposal(proposalId)
    expect(stored).toMatchObject({ status: 'failed', error: { code: 'VALIDATION_FAILED' } })
  })

  it('checks the proposal’s own version and status', async () => {
    const { proposalId } = await t.createProposal({
      version: 1,
      operations: [{ op: 'update', table: 'tasks', id: t.ids.tasks[2], set: { status: 'blocked' } }],
    })
    const stale = await caught(applyProposal(db, t.claims('admin'), proposalId, { expectedVersion: 7 }))
    expect(stale.code).toBe('VERSION_CONFLICT')
    expect(stale.details).toMatchObject({
      table: 'proposals',
      id: proposalId,
      expected_version: 7,
      current_version: 1,
    })
    expect((await proposal(proposalId)).status).toBe('pending')

    expect((await caught(revertProposal(db, t.claims('admin'), proposalId))).code).toBe('INVALID_STATE')
    const applied = await applyProposal(db, t.claims('admin'), proposalId)
    expect(applied.version).toBe(2)
    const again = await caught(applyProposal(db, t.claims('admin'), proposalId))
    expect(again.code).toBe('INVALID_STATE')
    expect(again.details).toMatchObject({ status: 'applied' })
    expect((await caught(rejectProposal(db, t.claims('admin'), proposalId))).code).toBe('INVALID_STATE')
    await revertProposal(db, t.claims('admin'), proposalId, { expectedVersion: 2 })
    expect((await caught(revertProposal(db, t.claims('admin'), proposalId))).code).toBe('INVALID_STATE')
  })

  it('answers NOT_FOUND for a proposal that does not exist', async () => {
    expect((await caught(applyProposal(db, t.claims('admin'), randomUUID()))).code).toBe('NOT_FOUND')
  })
})
