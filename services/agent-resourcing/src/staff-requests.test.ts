import type { AgentToolContext } from '@psa/agent-runtime'
import { type AgentHarness, startAgentHarness } from '@psa/agent-runtime/testing'
import { applyProposal, revertProposal } from '@psa/changesets'
import { BLUEBIRD_ORGANISATION_ID, demoDataLoaded, demoUser, NORTHWIND_ORGANISATION_ID } from '@psa/demo-data'
import { AppError } from '@psa/errors'
import { createScratchDatabase, type ScratchDatabase, type TenantUser, testUser } from '@psa/test-kit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resourcingAgent } from './agent.js'
import { availability } from './domain/availability.js'
import { resourcingPlaybook } from './playbook.js'
import { loadCalendars, loadPeople } from './tools/calendars.js'
import { staffRequests } from './tools/staff-requests.js'

// Staffing sets of open requests with the optimiser, on the demo firm: through the runtime with the offline
// model (one proposal that applies and reverts), and the tool itself across organisations. On a database of
// this file's own: applying firm-wide bookings would change what parallel files read of the shared one.
let scratch: ScratchDatabase
let h: AgentHarness
let admin: TenantUser
let demoLoaded = false

beforeAll(async () => {
  scratch = await createScratchDatabase('staff_requests', { demoData: true })
  h = await startAgentHarness({
    agent: resourcingAgent,
    playbook: resourcingPlaybook,
    pipeline: { databaseUrl: scratch.url },
  })
  demoLoaded = await demoDataLoaded(h.db.sql)
  admin = testUser(demoUser('admin@northwind.example'), NORTHWIND_ORGANISATION_ID)
})

afterAll(async () => {
  await h?.stop()
  await scratch?.drop()
})

interface StaffOutput {
  objective: { name: string; value: number; optimal: boolean; bound: number; gap: number; method: string }
  greedy: { value: number; staffed: number; beaten_by: number }
  assignments: {
    resource_request_id: string
    request: string
    person_id: string
    name: string
    hours_per_week: number
    starts_on: string
    ends_on: string
    runner_up: { name: string; why: string; objective_delta: number | null } | null
  }[]
  unstaffed: { resource_request_id: string; request: string; reason: string; message: string }[]
  proposal_id: string | null
}

describe('staff_requests on the demo firm', () => {
  it('"Staff all open requests at the lowest cost": one proposal, optimal, no worse than greedy, feasible every week, reasons for the rest; applies and reverts', async (context) => {
    if (!demoLoaded) context.skip()
    const { session, events } = await h.run(admin, 'Staff all open requests at the lowest cost')
    expect(session.status).toBe('completed')
    const started = events.filter((e) => e.type === 'tool_call_started').map((e) => e.data)
    expect(started).toEqual([
      expect.objectContaining({ name: 'staff_requests', input: { all_open: true, objective: 'cost' } }),
    ])
    const finished = events.find((e) => e.type === 'tool_call_finished')?.data as {
      ok: boolean
      summary: string
      output: StaffOutput
    }
    expect(finished.ok).toBe(true)
    const out = finished.output
    expect(out.objective).toMatchObject({ name: 'cost', optimal: true })
    expect(out.objective.bound).toBeLessThanOrEqual(out.objective.value + 1e-6)
    expect(out.objective.value).toBeLessThanOrEqual(out.greedy.value + 1e-9)
    expect(out.greedy.beaten_by).toBeGreaterThanOrEqual(0)
    expect(out.assignments.length).toBeGreaterThan(0)
    // Every request is either staffed or reported with a reason, none twice; all are Northwind's.
    const ids = [...out.assignments, ...out.unstaffed].map((r) => r.resource_request_id)
    expect(new Set(ids).size).toBe(ids.length)
    expect([...out.assignments, ...out.unstaffed].every((r) => r.request.startsWith('NW-'))).toBe(true)
    // The React requests need React 4+: its two experts are fully booked.
    const react = out.unstaffed.filter((u) => u.request.includes('(React)'))
    expect(react.length).toBeGreaterThan(0)
    for (const u of react) {
      expect(u.reason).toBe('no_capacity')
      expect(u.message).toMatch(/Marcus Chen|Priya Raman/)
    }
    expect(out.unstaffed.every((u) => u.message.length > 0)).toBe(true)

    expect(events.filter((e) => e.type === 'proposal_created')).toHaveLength(1)
    const proposals = await h.db.asService((tx) =>
      tx.selectFrom('proposals').selectAll().where('session_id', '=', session.id).execute(),
    )
    expect(proposals).toHaveLength(1)
    const proposal = proposals[0] as (typeof proposals)[number]
    expect(proposal.id).toBe(out.proposal_id)
    const result = session.result as { summary: string; objective: string; staffed: number }
    expect(result).toMatchObject({ objective: 'cost', staffed: out.assignments.length })
    expect(result.summary).toContain('proven optimal')
    expect(result.summary).toContain('Not staffed')

    const applied = await applyProposal(h.db, admin.claims, proposal.id)
    expect(applied.status).toBe('applied')
    try {
      await h.db.asUser(admin.claims, async (tx) => {
        const people = await loadPeople(tx, { ids: out.assignments.map((a) => a.person_id) })
        for (const a of out.assignments) {
          const calendars = await loadCalendars(tx, people, a.starts_on, a.ends_on)
          const weeks = availability(calendars.get(a.person_id) as never, a.starts_on, a.ends_on)
          expect(weeks.overAllocatedWeeks, `${a.name} on ${a.request}`).toEqual([])
        }
        const requests = await tx
          .selectFrom('resource_requests')
          .select(['id', 'status'])
          .where(
            'id',
            'in',
            out.assignments.map((a) => a.resource_request_id),
          )
          .execute()
        expect(requests.every((r) => r.status === 'filled')).toBe(true)
      })
    } finally {
      await revertProposal(h.db, admin.claims, proposal.id)
    }
    const left = await h.db.asService((tx) =>
      tx
        .selectFrom('allocations')
        .select('id')
        .where(
          'resource_request_id',
          'in',
          out.assignments.map((a) => a.resource_request_id),
        )
        .execute(),
    )
    const before = await h.db.asService((tx) =>
      tx
        .selectFrom('resource_requests')
        .select('status')
        .where(
          'id',
          'in',
          out.assignments.map((a) => a.resource_request_id),
        )
        .execute(),
    )
    expect(before.every((r) => r.status !== 'filled')).toBe(true)
    // Partially filled requests keep their earlier bookings; the plan's own are gone.
    const planned = (
      proposal.changeset as { operations: { op: string; values?: { id: string } }[] }
    ).operations.flatMap((o) => (o.op === 'insert' && o.values ? [o.values.id] : []))
    expect(left.filter((a) => planned.includes(a.id))).toEqual([])
  })

  it('reads the objective from the words: best fit first on a client, balance firm-wide', async (context) => {
    if (!demoLoaded) context.skip()
    const fit = await h.run(admin, "Fill Blue Harbor Bank's open requests, best fit first")
    const fitCall = fit.events.find((e) => e.type === 'tool_call_started')?.data as {
      input: Record<string, unknown>
    }
    expect(fitCall.input).toMatchObject({ client_id: expect.any(String), objective: 'fit' })
    const fitDone = fit.events.find((e) => e.type === 'tool_call_finished')?.data as
      | { output: StaffOutput }
      | undefined
    const out = fitDone?.output as StaffOutput
    expect(out.objective.name).toBe('fit')
    expect(out.objective.value).toBeLessThanOrEqual(out.greedy.value + 1e-9)
    expect([...out.assignments, ...out.unstaffed].every((r) => /^NW-(202|302) /.test(r.request))).toBe(true)
    // The runner-up of each staffed request says why it lost.
    for (const a of out.assignments) if (a.runner_up) expect(a.runner_up.why.length).toBeGreaterThan(0)

    const balance = await h.run(admin, 'staff everything open balancing utilisation')
    expect(balance.events.find((e) => e.type === 'tool_call_started')?.data).toMatchObject({
      name: 'staff_requests',
      input: { all_open: true, objective: 'balance' },
    })
    const balanced = balance.events.find((e) => e.type === 'tool_call_finished')?.data as
      | { output: StaffOutput }
      | undefined
    expect(balanced?.output.objective.name).toBe('balance')
    expect(balance.events.filter((e) => e.type === 'proposal_created')).toHaveLength(1)
  })
})

describe('staff_requests across organisations', () => {
  let bluebirdRequestId: string
  let northwindRequestId: string
  const northwind = testUser(demoUser('admin@northwind.example'), NORTHWIND_ORGANISATION_ID, 'admin')
  const bluebird = testUser(demoUser('admin@bluebird.example'), BLUEBIRD_ORGANISATION_ID, 'admin')
  const ctxFor = (user: TenantUser): AgentToolContext =>
    ({
      session: {
        today: new Date().toISOString().slice(0, 10),
        organisationId: user.organisationId,
        userId: user.id,
      },
      asUser: (fn) => scratch.db.asUser(user.claims, fn),
      propose: () => {
        throw new Error('a refused request must not propose')
      },
    }) as Pick<AgentToolContext, 'asUser' | 'propose'> as AgentToolContext

  beforeAll(async () => {
    if (!demoLoaded) return
    // Northwind's admin also joins Bluebird, so RLS alone would let them see Bluebird's request.
    await scratch.db.asService(async (tx) => {
      await tx
        .insertInto('memberships')
        .values({ organisation_id: BLUEBIRD_ORGANISATION_ID, user_id: northwind.id, role: 'admin' })
        .execute()
      const project = await tx
        .selectFrom('projects')
        .select('id')
        .where('organisation_id', '=', BLUEBIRD_ORGANISATION_ID)
        .executeTakeFirstOrThrow()
      const role = await tx
        .selectFrom('roles')
        .select('id')
        .where('organisation_id', '=', BLUEBIRD_ORGANISATION_ID)
        .executeTakeFirstOrThrow()
      await tx.updateTable('projects').set({ status: 'active' }).where('id', '=', project.id).execute()
      const inserted = await tx
        .insertInto('resource_requests')
        .values({
          organisation_id: BLUEBIRD_ORGANISATION_ID,
          project_id: project.id,
          role_id: role.id,
          hours_per_week: 8,
          starts_on: '2099-01-05',
          ends_on: '2099-02-27',
        })
        .returning('id')
        .executeTakeFirstOrThrow()
      bluebirdRequestId = inserted.id
      const nw = await tx
        .selectFrom('resource_requests')
        .select('id')
        .where('organisation_id', '=', NORTHWIND_ORGANISATION_ID)
        .where('status', '=', 'open')
        .executeTakeFirstOrThrow()
      northwindRequestId = nw.id
    })
  })
  it("refuses another organisation's request, even to a member of both", async (context) => {
    if (!bluebirdRequestId) context.skip()
    const refused = staffRequests.run({ resource_request_ids: [bluebirdRequestId] }, ctxFor(northwind))
    await expect(refused).rejects.toBeInstanceOf(AppError)
    await expect(refused).rejects.toMatchObject({ code: 'NOT_FOUND' })
    // And the other way round: Bluebird's admin cannot staff a Northwind request.
    await expect(
      staffRequests.run({ resource_request_ids: [northwindRequestId] }, ctxFor(bluebird)),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' })
    // A Bluebird project named in a Northwind session is not found either.
    const project = await scratch.db.asService((tx) =>
      tx
        .selectFrom('projects')
        .select('id')
        .where('organisation_id', '=', BLUEBIRD_ORGANISATION_ID)
        .executeTakeFirstOrThrow(),
    )
    await expect(staffRequests.run({ project_id: project.id }, ctxFor(northwind))).rejects.toMatchObject({
      code: 'NOT_FOUND',
    })
  })

  it('says when more requests match than one proposal holds, and why each considered one stays open', async (context) => {
    if (!bluebirdRequestId) context.skip()
    // 51 requests for a role nobody in Bluebird holds: nothing can be booked, so nothing is proposed.
    const project = await scratch.db.asService(async (tx) => {
      const p = await tx
        .selectFrom('projects')
        .select(['id', 'organisation_id'])
        .where('organisation_id', '=', BLUEBIRD_ORGANISATION_ID)
        .executeTakeFirstOrThrow()
      const role = await tx
        .insertInto('roles')
        .values({
          organisation_id: BLUEBIRD_ORGANISATION_ID,
          name: 'Quantum Engineer',
          cost_rate_minor: 10_000,
          bill_rate_minor: 20_000,
        })
        .returning('id')
        .executeTakeFirstOrThrow()
      await tx
        .insertInto('resource_requests')
        .values(
          Array.from({ length: 51 }, (_, i) => ({
            organisation_id: BLUEBIRD_ORGANISATION_ID,
            project_id: p.id,
            role_id: role.id,
            hours_per_week: 8,
            starts_on: `2098-01-${String((i % 28) + 1).padStart(2, '0')}`,
            ends_on: '2098-03-27',
          })),
        )
        .execute()
      return p
    })
    const out = await staffRequests.run({ project_id: project.id }, ctxFor(bluebird))
    expect(out.truncated).toBe(true)
    expect(out.summary).toContain('Only the first 50 open requests')
    const unstaffed = out.unstaffed as { reason: string }[]
    expect(unstaffed).toHaveLength(50)
    // The 2099 request of the role Bluebird has is later than these 50, so it is not among them.
    expect(unstaffed.every((u) => u.reason === 'no_one_qualified')).toBe(true)
    expect(out.proposal_id).toBeNull()
  })

  it('the input names a scope and a known objective', () => {
    expect(staffRequests.inputSchema.safeParse({ objective: 'cost' }).success).toBe(false)
    expect(staffRequests.inputSchema.safeParse({ all_open: true, objective: 'cheap' }).success).toBe(false)
    expect(
      staffRequests.inputSchema.safeParse({ all_open: true, weights: { cost: 2, fit: 1 } }).success,
    ).toBe(true)
  })
})
