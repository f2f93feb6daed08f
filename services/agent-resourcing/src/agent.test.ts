import { type AgentHarness, startAgentHarness } from '@psa/agent-runtime/testing'
import { applyProposal, revertProposal } from '@psa/changesets'
import { demoDataLoaded, demoUser, NORTHWIND_ORGANISATION_ID } from '@psa/demo-data'
import { type TenantUser, testUser } from '@psa/test-kit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { resourcingAgent } from './agent.js'
import { availability } from './domain/availability.js'
import { resourcingPlaybook } from './playbook.js'
import { loadCalendars, loadPeople } from './tools/calendars.js'

// End to end through the runtime with the offline model, on the demo data (Northwind) with its planted React
// shortage and over-allocations.
let h: AgentHarness
let admin: TenantUser
let demoLoaded = false

beforeAll(async () => {
  h = await startAgentHarness({ agent: resourcingAgent, playbook: resourcingPlaybook })
  demoLoaded = await demoDataLoaded(h.db.sql)
  admin = testUser(demoUser('admin@northwind.example'), NORTHWIND_ORGANISATION_ID)
})

afterAll(async () => {
  await h?.stop()
})

async function proposalsOf(sessionId: string) {
  return h.db.asService((tx) =>
    tx.selectFrom('proposals').selectAll().where('session_id', '=', sessionId).execute(),
  )
}

describe('resourcing agent', () => {
  it('finds the React shortage: "Who can staff Acme\'s React roles next month without pushing anyone past their utilisation target?"', async (context) => {
    if (!demoLoaded) context.skip()
    const { session, events } = await h.run(
      admin,
      "Who can staff Acme's React roles next month without pushing anyone past their utilisation target?",
    )
    expect(session.status).toBe('completed')
    const calls = events
      .filter((e) => e.type === 'tool_call_started')
      .map((e) => e.data as { name: string; input: Record<string, unknown> })
    expect(calls[0]).toMatchObject({ name: 'list_open_requests', input: { skill: 'React' } })
    expect(
      calls
        .slice(1)
        .every((c) => c.name === 'find_candidates' && c.input.respect_utilisation_target === true),
    ).toBe(true)
    const result = session.result as {
      needs: { request_code: string; shortage: boolean; qualified: number; candidates: { name: string }[] }[]
      summary: string
    }
    expect(result.needs.length).toBeGreaterThan(0)
    expect(result.needs.every((n) => ['NW-201', 'NW-304'].includes(n.request_code))).toBe(true)
    // Only Marcus Chen and Priya Raman know React at 4+, and both are fully booked.
    expect(result.needs.every((n) => n.shortage)).toBe(true)
    expect(result.needs[0]?.candidates.map((c) => c.name).sort()).toEqual(['Marcus Chen', 'Priya Raman'])
    expect(result.summary).toContain('This is a shortage')
    expect(await proposalsOf(session.id)).toEqual([])
  })

  it('ranks people for a profile with availability and utilisation', async (context) => {
    if (!demoLoaded) context.skip()
    const { session, events } = await h.run(
      admin,
      'Find a senior developer with Python for 3 weeks from 4 Jan',
    )
    const started = events.find((e) => e.type === 'tool_call_started')?.data as {
      name: string
      input: Record<string, unknown>
    }
    expect(started).toMatchObject({
      name: 'find_candidates',
      input: { role: 'Senior Developer', skill: 'Python', starts_on: expect.stringMatching(/-01-04$/) },
    })
    expect(started.input.ends_on).toMatch(/-01-24$/)
    const result = session.result as {
      needs: { qualified: number; candidates: { free_hours_per_week: number }[] }[]
    }
    const [need] = result.needs
    expect(need?.qualified).toBeGreaterThan(0)
    const free = need?.candidates.map((c) => c.free_hours_per_week) ?? []
    expect(free.length).toBeGreaterThan(0)
  })

  it('refuses to book someone past 100% ("Book Priya Raman on NW-201 ...") and proposes nothing', async (context) => {
    if (!demoLoaded) context.skip()
    const { session, events } = await h.run(
      admin,
      'Book Priya Raman on NW-201 at 20 hours a week for 4 weeks starting next Monday',
    )
    expect(session.status).toBe('completed')
    const finished = events.find((e) => e.type === 'tool_call_finished')?.data as {
      name: string
      ok: boolean
      summary: string
    }
    expect(finished).toMatchObject({ name: 'propose_allocation', ok: false })
    expect(finished.summary).toContain('nobody is booked past 100%')
    expect((session.result as { summary: string }).summary).toContain('Priya Raman would be booked')
    expect(await proposalsOf(session.id)).toEqual([])
  })

  it('staffs the open requests of NW-304 with bookings that apply cleanly and keep everyone at or under 100%', async (context) => {
    if (!demoLoaded) context.skip()
    const { session, events } = await h.run(admin, 'Staff the open requests of NW-304')
    expect(session.status).toBe('completed')
    expect(events.filter((e) => e.type === 'proposal_created')).toHaveLength(1)
    const [proposal] = await proposalsOf(session.id)
    if (!proposal) throw new Error('no proposal')
    const ops = (
      proposal.changeset as {
        operations: {
          op: string
          table: string
          values?: Record<string, unknown>
          set?: Record<string, unknown>
        }[]
      }
    ).operations
    const inserts = ops.filter((o) => o.op === 'insert')
    expect(inserts.length).toBeGreaterThan(0)
    expect(inserts.every((o) => o.table === 'allocations' && o.values?.kind === 'soft')).toBe(true)
    expect(ops.filter((o) => o.op === 'update').every((o) => o.table === 'resource_requests')).toBe(true)
    // The React request cannot be covered (shortage) and is reported, not booked.
    expect((session.result as { unfilled: number }).unfilled).toBeGreaterThan(0)

    const applied = await applyProposal(h.db, admin.claims, proposal.id)
    expect(applied.status).toBe('applied')
    try {
      const booked = inserts.map((o) => o.values as { person_id: string; starts_on: string; ends_on: string })
      await h.db.asUser(admin.claims, async (tx) => {
        const people = await loadPeople(tx, { ids: booked.map((b) => b.person_id) })
        for (const b of booked) {
          const calendars = await loadCalendars(tx, people, b.starts_on, b.ends_on)
          const a = availability(calendars.get(b.person_id) as never, b.starts_on, b.ends_on)
          expect(a.overAllocatedWeeks).toEqual([])
        }
      })
    } finally {
      await revertProposal(h.db, admin.claims, proposal.id)
    }
  })

  it('asks which person when a name matches more than one', async (context) => {
    if (!demoLoaded) context.skip()
    const { session } = await h.run(
      admin,
      'Book Noah Fischer on NW-304 for 16 hours a week, hard booking, from 4 January to 29 January',
    )
    expect((session.result as { summary: string }).summary).toContain('Which person do you mean')
    expect(await proposalsOf(session.id)).toEqual([])
  })

  it('finds the planted double bookings: "Who is over-allocated in the next two weeks?", writing nothing', async (context) => {
    if (!demoLoaded) context.skip()
    const { session, events } = await h.run(admin, 'Who is over-allocated in the next two weeks?')
    expect(session.status).toBe('completed')
    const started = events.find((e) => e.type === 'tool_call_started')
    expect(started?.data).toMatchObject({ name: 'capacity_report', input: { view: 'over_allocation' } })
    const result = session.result as { over_allocations: { name: string }[] }
    const names = new Set(result.over_allocations.map((o) => o.name))
    expect(names).toContain('Priya Raman')
    expect(names).toContain('Isabella Moreno')
    expect(await proposalsOf(session.id)).toEqual([])
  })

  it('runs a what-if on a tentative project without writing anything', async (context) => {
    if (!demoLoaded) context.skip()
    const { session } = await h.run(admin, 'What if we win NW-304? Who would be over capacity?')
    expect(session.status).toBe('completed')
    expect(session.result).toMatchObject({ written: false })
    expect(await proposalsOf(session.id)).toEqual([])
  })
})
