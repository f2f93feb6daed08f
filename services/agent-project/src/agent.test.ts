import type { SessionEventEnvelope } from '@psa/agent-pipeline'
import { type AgentHarness, startAgentHarness } from '@psa/agent-runtime/testing'
import { applyProposal, revertProposal } from '@psa/changesets'
import { demoDataLoaded, demoUser, NORTHWIND_ORGANISATION_ID } from '@psa/demo-data'
import { type TenantUser, testUser } from '@psa/test-kit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { projectAgent } from './agent.js'
import { projectPlaybook } from './playbook.js'

// End to end through the runtime with the offline model, on the demo data (Northwind): the tools read and
// write it through Strands tool calls as the submitting user.
let h: AgentHarness
let admin: TenantUser
let demoLoaded = false

const northwindUser = (
  email: 'admin@northwind.example' | 'viewer@northwind.example',
  role: 'admin' | 'viewer',
) => testUser(demoUser(email), NORTHWIND_ORGANISATION_ID, role)

function kinds(events: SessionEventEnvelope[]): string[] {
  return events.map((e) => (e.type === 'status_changed' ? `status:${e.data.status}` : e.type))
}

beforeAll(async () => {
  h = await startAgentHarness({ agent: projectAgent, playbook: projectPlaybook })
  demoLoaded = await demoDataLoaded(h.db.sql)
  admin = northwindUser('admin@northwind.example', 'admin')
})

afterAll(async () => {
  await h?.stop()
})

describe('project agent', () => {
  it('plans "a 12-week website rebuild for Acme starting 5 Jan, budget $150k" as one applicable proposal', async (context) => {
    if (!demoLoaded) context.skip()
    const { session, events } = await h.run(
      admin,
      'Plan a 12-week website rebuild for Acme starting 5 Jan, budget $150k',
    )
    expect(session.status).toBe('completed')
    expect(kinds(events)).toEqual([
      'status:queued',
      'status:processing',
      'reasoning',
      'tool_call_started',
      'proposal_created',
      'tool_call_finished',
      'reasoning',
      'final_result',
      'status:completed',
    ])
    const started = events.find((e) => e.type === 'tool_call_started')
    const acme = await h.db.asService((tx) =>
      tx.selectFrom('clients').select('id').where('name', '=', 'Acme Retail Group').executeTakeFirstOrThrow(),
    )
    expect(started?.data).toMatchObject({
      name: 'propose_project_plan',
      input: { client_id: acme.id, name: 'Website Rebuild', weeks: 12, budget_minor: 15_000_000 },
    })
    const result = session.result as Record<string, unknown>
    expect(result).toMatchObject({
      phases: 5,
      budget_minor: 15_000_000,
      starts_on: expect.stringMatching(/-01-05$/),
    })
    expect(result.value_minor as number).toBeLessThanOrEqual(15_000_000)
    expect(result.summary).toContain('Nothing changes until someone applies the proposal')
    expect(session.agents_involved).toEqual(['project_management'])
    expect(session.input_tokens).toBeGreaterThan(0)

    const proposals = await h.db.asService((tx) =>
      tx.selectFrom('proposals').selectAll().where('session_id', '=', session.id).execute(),
    )
    expect(proposals).toHaveLength(1)
    const proposal = proposals[0] as (typeof proposals)[number]
    expect(proposal.id).toBe(result.proposal_id)
    const ops = (
      proposal.changeset as { operations: { op: string; table: string; values: Record<string, unknown> }[] }
    ).operations
    const count = (table: string) => ops.filter((o) => o.table === table).length
    expect(count('projects')).toBe(1)
    expect(count('phases')).toBe(5)
    expect(count('milestones')).toBe(5)
    expect(count('tasks')).toBe(result.tasks)
    expect(count('task_dependencies')).toBe(result.dependencies)
    expect(ops[0]?.values).toMatchObject({
      client_id: acme.id,
      status: 'tentative',
      win_probability_pct: 50,
      currency: 'USD',
    })

    // The changeset is real: a manager can apply it (as themselves, RLS applies) and revert it exactly.
    const applied = await applyProposal(h.db, admin.claims, proposal.id)
    expect(applied.status).toBe('applied')
    const project = await h.db.asUser(admin.claims, (tx) =>
      tx
        .selectFrom('projects')
        .selectAll()
        .where('id', '=', result.project_id as string)
        .executeTakeFirstOrThrow(),
    )
    expect(project).toMatchObject({ name: 'Website Rebuild', budget_minor: '15000000' })
    const tasks = await h.db.asUser(admin.claims, (tx) =>
      tx.selectFrom('tasks').select(['id', 'role_id']).where('project_id', '=', project.id).execute(),
    )
    expect(tasks).toHaveLength(result.tasks as number)
    expect(tasks.every((t) => t.role_id !== null)).toBe(true)
    await revertProposal(h.db, admin.claims, proposal.id)
    const gone = await h.db.asService((tx) =>
      tx.selectFrom('projects').select('id').where('id', '=', project.id).execute(),
    )
    expect(gone).toEqual([])
  })

  it('applies the plan at once when an admin asks for auto-apply, and says so', async (context) => {
    if (!demoLoaded) context.skip()
    const { session } = await h.run(
      admin,
      'Plan a 6-week data migration for Nova starting 1 Feb, budget $60k',
      undefined,
      {
        autoApply: true,
      },
    )
    expect(session.status).toBe('completed')
    const result = session.result as { project_id: string; summary: string }
    expect(result.summary).toContain('Applied automatically')
    expect(result.summary).not.toContain('Nothing changes until someone applies')
    const project = await h.db.asService((tx) =>
      tx
        .selectFrom('projects')
        .select(['id', 'status'])
        .where('id', '=', result.project_id)
        .executeTakeFirst(),
    )
    expect(project).toBeDefined()
    const proposal = await h.db.asService((tx) =>
      tx
        .selectFrom('proposals')
        .select(['status', 'applied_by'])
        .where('session_id', '=', session.id)
        .executeTakeFirstOrThrow(),
    )
    expect(proposal).toEqual({ status: 'applied', applied_by: admin.id })
  })

  it('reports the planted over-burn: "How is the Blue Harbor mobile onboarding doing?"', async (context) => {
    if (!demoLoaded) context.skip()
    const { session, events } = await h.run(admin, 'How is the Blue Harbor mobile onboarding doing?')
    expect(session.status).toBe('completed')
    const finished = events.find((e) => e.type === 'tool_call_finished')
    expect(finished?.data).toMatchObject({ name: 'get_project_status', ok: true })
    const result = session.result as {
      projects: { code: string; health: string; burn_pct: number }[]
      summary: string
    }
    expect(result.projects).toHaveLength(1)
    const [nw202] = result.projects
    expect(nw202?.code).toBe('NW-202')
    expect(nw202?.burn_pct).toBeGreaterThan(85)
    expect(['amber', 'red']).toContain(nw202?.health)
    expect(result.summary).toContain('NW-202 Mobile Banking Onboarding (Blue Harbor Bank) is')
    expect(result.summary).toMatch(/\d+(\.\d+)?% of the budget is burned/)
    expect(result.summary).toContain('forecast at completion')
    expect(
      await h.db.asService((tx) =>
        tx.selectFrom('proposals').select('id').where('session_id', '=', session.id).execute(),
      ),
    ).toEqual([])
  })

  it('finds the late milestone of the project in the structured context', async (context) => {
    if (!demoLoaded) context.skip()
    const portal = await h.db.asService((tx) =>
      tx.selectFrom('projects').select('id').where('code', '=', 'NW-204').executeTakeFirstOrThrow(),
    )
    const { session } = await h.run(admin, 'How is this one going?', { project_id: portal.id })
    const result = session.result as {
      projects: { code: string; late_milestones: number }[]
      summary: string
    }
    expect(result.projects).toEqual([expect.objectContaining({ code: 'NW-204', late_milestones: 1 })])
    expect(result.summary).toContain('UAT sign-off (release 1)')
  })

  it('reviews a client’s current projects ("How is Acme doing?")', async (context) => {
    if (!demoLoaded) context.skip()
    const { session } = await h.run(admin, 'How is Acme doing?')
    const result = session.result as { projects: { code: string }[] }
    const acmeActive = await h.db.asService((tx) =>
      tx
        .selectFrom('projects as p')
        .innerJoin('clients as c', 'c.id', 'p.client_id')
        .select('p.code')
        .where('c.name', '=', 'Acme Retail Group')
        .where('p.status', 'in', ['active', 'on_hold'])
        .execute(),
    )
    expect(result.projects.map((p) => p.code).sort()).toEqual(acmeActive.map((p) => p.code).sort())
  })

  it('says what it needs instead of guessing, and makes no proposal', async (context) => {
    if (!demoLoaded) context.skip()
    const noClient = await h.run(admin, 'Plan a 10-week mobile app project starting 1 March')
    expect(noClient.session.status).toBe('completed')
    expect((noClient.session.result as { summary: string }).summary).toContain('I need to know the client')
    const noLength = await h.run(admin, 'Plan a data platform for Nova Biotech')
    expect((noLength.session.result as { summary: string }).summary).toContain(
      'How long should the project run?',
    )
    const unclear = await h.run(admin, 'Hello there')
    expect((unclear.session.result as { summary: string }).summary).toContain(
      'could not tell which of those you want',
    )
    const quote = await h.run(admin, 'Quote 200h senior dev at 30% margin')
    expect((quote.session.result as { summary: string }).summary).toContain('quotes agent handles')
    const proposals = await h.db.asService((tx) =>
      tx
        .selectFrom('proposals')
        .select('id')
        .where(
          'session_id',
          'in',
          [noClient, noLength, unclear, quote].map((r) => r.session.id),
        )
        .execute(),
    )
    expect(proposals).toEqual([])
  })

  it('stays inside what the user may see: a viewer’s plan request still only reads their organisation', async (context) => {
    if (!demoLoaded) context.skip()
    const viewer = northwindUser('viewer@northwind.example', 'viewer')
    // Viewers may not submit agent requests (members and above may); RLS refuses the session itself.
    await expect(
      h.submit(viewer, { agentType: 'project_management', request: 'How is Acme doing?' }),
    ).rejects.toThrow()
  })

  it('baselines, compares with the baseline and replans an existing project, each a proposal or a read', async (context) => {
    if (!demoLoaded) context.skip()
    const late = await h.run(admin, 'Compare NW-204 to its baseline')
    expect(late.session.status).toBe('completed')
    const compared = late.session.result as { end_slip_days: number; milestones: { slip_days: number }[] }
    expect(compared.milestones.some((m) => m.slip_days > 0)).toBe(true)

    const baseline = await h.run(admin, 'Take a baseline of NW-203')
    const proposals = await h.db.asService((tx) =>
      tx.selectFrom('proposals').selectAll().where('session_id', '=', baseline.session.id).execute(),
    )
    expect(proposals).toHaveLength(1)
    const ops = (proposals[0]?.changeset as { operations: { op: string; table: string }[] } | undefined)
      ?.operations
    expect(ops).toEqual([expect.objectContaining({ op: 'insert', table: 'baselines' })])

    const replan = await h.run(admin, 'Replan the E-commerce Replatform so it finishes two weeks earlier')
    const started = replan.events.find((e) => e.type === 'tool_call_started')
    expect(started?.data).toMatchObject({
      name: 'propose_replan',
      input: { change: 'finish_earlier', days: 14 },
    })
    const result = replan.session.result as { proposal_id: string; ends_on: string; was_ends_on: string }
    expect(result.ends_on < result.was_ends_on).toBe(true)
    const applied = await applyProposal(h.db, admin.claims, result.proposal_id)
    expect(applied.status).toBe('applied')
    await revertProposal(h.db, admin.claims, result.proposal_id)
  })

  it('schedules a project against real capacity and says what sets its end date, writing nothing', async (context) => {
    if (!demoLoaded) context.skip()
    const { session, events } = await h.run(admin, 'What sets the end date of NW-201?')
    expect(session.status).toBe('completed')
    const started = events.find((e) => e.type === 'tool_call_started')
    expect(started?.data).toMatchObject({ name: 'schedule_project' })
    const result = session.result as { critical_tasks: string[]; levelled: boolean; end_set_by?: string }
    expect(result.critical_tasks.length).toBeGreaterThan(0)
    if (result.levelled) expect(['capacity', 'dependencies']).toContain(result.end_set_by)
    const proposals = await h.db.asService((tx) =>
      tx.selectFrom('proposals').select('id').where('session_id', '=', session.id).execute(),
    )
    expect(proposals).toEqual([])
  })
})
