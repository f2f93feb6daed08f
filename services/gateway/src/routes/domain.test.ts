import { randomUUID } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type GatewayHarness, type JsonBody, startGatewayHarness } from '../testing/harness.js'

let h: GatewayHarness
let get: (
  url: string,
  user?: Parameters<GatewayHarness['token']>[0],
  headers?: Record<string, string>,
) => Promise<{
  status: number
  body: JsonBody
}>

beforeAll(async () => {
  h = await startGatewayHarness()
  get = async (url, user = 'admin', headers = {}) => {
    const res = await h.app.inject({ method: 'GET', url, headers: { ...(await h.bearer(user)), ...headers } })
    return { status: res.statusCode, body: res.json() }
  }
})
afterAll(async () => {
  await h?.close()
})

describe('projects', () => {
  it('lists the organisation’s projects with filters and keyset pages', async () => {
    const { orgId, ids } = h.tenant
    for (const [i, status] of (['tentative', 'on_hold', 'completed'] as const).entries()) {
      await h.db
        .sql`insert into public.projects (organisation_id, client_id, name, code, status, win_probability_pct,
          currency, starts_on, ends_on)
        values (${orgId}, ${ids.client}, ${`Extra ${i}`}, ${`EX-${i}-${h.tenant.tag}`}, ${status},
          ${status === 'tentative' ? 40 : null}, 'USD', '2027-05-03', '2027-06-25')`
    }
    const all = await get('/api/projects')
    expect(all.status).toBe(200)
    expect(all.body.projects.map((p: { name: string }) => p.name)).toEqual([
      'Acme website rebuild',
      'Extra 0',
      'Extra 1',
      'Extra 2',
    ])
    expect(all.body.projects[0]).toMatchObject({
      id: ids.project,
      organisation_id: orgId,
      client: { id: ids.client, name: 'Acme Corp' },
      manager: { id: ids.people[1], full_name: 'Grace Hopper' },
      budget_minor: '15000000',
      starts_on: '2027-01-04',
      version: 1,
    })
    expect(all.body.next_page_token).toBeNull()

    const seen: string[] = []
    let token: string | null = null
    do {
      const page: { body: { projects: { name: string }[]; next_page_token: string | null } } = await get(
        `/api/projects?page_size=3${token ? `&page_token=${token}` : ''}`,
      )
      seen.push(...page.body.projects.map((p) => p.name))
      token = page.body.next_page_token
    } while (token)
    expect(seen).toEqual(all.body.projects.map((p: { name: string }) => p.name))

    const tentative = await get('/api/projects?status=tentative')
    expect(tentative.body.projects).toHaveLength(1)
    expect(tentative.body.projects[0]).toMatchObject({ name: 'Extra 0', win_probability_pct: '40.00' })
    expect((await get(`/api/projects?q=acme`)).body.projects).toHaveLength(1)
    expect((await get(`/api/projects?q=${encodeURIComponent('%')}`)).body.projects).toHaveLength(0)
    expect((await get(`/api/projects?client_id=${randomUUID()}`)).body.projects).toHaveLength(0)
  })

  it('shows a project with its plan and budget burn', async () => {
    const { ids } = h.tenant
    const { status, body } = await get(`/api/projects/${ids.project}`, 'viewer')
    expect(status).toBe(200)
    expect(body.phases.map((p: { name: string }) => p.name)).toEqual(['Discovery', 'Build'])
    expect(body.tasks).toHaveLength(3)
    expect(body.tasks[1]).toMatchObject({
      id: ids.tasks[1],
      name: 'Build front end',
      estimate_hours: '200.00',
      role: { id: ids.developerRole, name: 'Developer' },
      assignee: { id: ids.people[0], full_name: 'Ada Lovelace' },
    })
    expect(body.dependencies).toEqual([
      {
        id: ids.dependency,
        predecessor_task_id: ids.tasks[1],
        successor_task_id: ids.tasks[2],
        dependency_type: 'finish_to_start',
        lag_days: 1,
      },
    ])
    expect(body.milestones[0]).toMatchObject({ id: ids.milestone, name: 'Go live', late: false })
    // 8 h of Dieter (cost 50.00, bill 120.00), 6.5 h billable + 2 h non-billable of Ada (cost 70.00, bill 160.00).
    expect(body.burn).toEqual({
      hours_logged: '16.50',
      billable_hours: '14.50',
      cost_minor: '99500',
      billable_value_minor: '200000',
      // The budget burn: her 2 h non-billable do not count on time and materials; role rates, no rate card.
      burn_minor: '193500',
      budget_minor: '15000000',
      burn_pct: '1.2',
      estimate_hours: '256.00',
      percent_complete: '35.2',
    })
  })

  it('keeps organisations apart and lets members of several choose', async () => {
    const { ids, otherOrgId, users } = h.tenant
    expect((await get(`/api/projects/${ids.otherProject}`)).status).toBe(404)
    const theirs = await get('/api/projects', 'otherAdmin')
    expect(theirs.body.projects.map((p: { id: string }) => p.id)).toEqual([ids.otherProject])
    expect((await get('/api/projects', 'admin', { 'x-organisation-id': otherOrgId })).status).toBe(404)

    await h.db
      .sql`insert into public.memberships (organisation_id, user_id, role) values (${otherOrgId}, ${users.owner.id}, 'viewer')`
    const mine = await get('/api/projects?page_size=1', 'owner')
    expect(mine.body.projects[0].organisation_id).toBe(h.tenant.orgId)
    const chosen = await get('/api/projects', 'owner', { 'x-organisation-id': otherOrgId })
    expect(chosen.body.projects.map((p: { id: string }) => p.id)).toEqual([ids.otherProject])
    const byQuery = await get(`/api/projects?organisation_id=${otherOrgId}`, 'owner')
    expect(byQuery.body.projects.map((p: { id: string }) => p.id)).toEqual([ids.otherProject])
    expect((await get(`/api/projects/${ids.otherProject}`, 'owner')).status).toBe(200)
    expect((await get('/api/projects', 'owner', { 'x-organisation-id': 'not-a-uuid' })).status).toBe(400)
  })

  it('refuses page tokens it did not issue', async () => {
    for (const token of ['garbage', Buffer.from('[1,2,3,4,5]').toString('base64url'), 'W10']) {
      const res = await get(`/api/projects?page_token=${token}`)
      expect(res.status).toBe(400)
      expect(res.body.error.code).toBe('VALIDATION_FAILED')
    }
  })
})

describe('resources', () => {
  it('lists people with role, skills and capacity, filtered by role and skill level', async () => {
    const { ids } = h.tenant
    const all = await get('/api/resources')
    expect(all.status).toBe(200)
    expect(all.body.resources.map((r: { full_name: string }) => r.full_name)).toEqual([
      'Ada Lovelace',
      'Dieter Rams',
      'Grace Hopper',
    ])
    expect(all.body.resources[0]).toMatchObject({
      role: { id: ids.developerRole, name: 'Developer' },
      level: 4,
      weekly_capacity_hours: '40.00',
      cost_rate_minor: '7000',
      skills: [{ skill_id: ids.reactSkill, name: 'React', proficiency: 5 }],
      location: { name: 'New York', timezone: 'America/New_York' },
    })
    const strongReact = await get(`/api/resources?skill_id=${ids.reactSkill}&min_proficiency=4`)
    expect(strongReact.body.resources.map((r: { full_name: string }) => r.full_name)).toEqual([
      'Ada Lovelace',
    ])
    const anyReact = await get(`/api/resources?skill_id=${ids.reactSkill}`)
    expect(anyReact.body.resources).toHaveLength(2)
    const designers = await get(`/api/resources?role_id=${ids.designerRole}`)
    expect(designers.body.resources.map((r: { full_name: string }) => r.full_name)).toEqual(['Dieter Rams'])
    const bad = await get('/api/resources?min_proficiency=3')
    expect(bad.status).toBe(400)
    expect((await get('/api/resources?min_proficiency=9')).status).toBe(400)
  })

  it('shows a person with skills, allocations and time off', async () => {
    const { ids } = h.tenant
    const { status, body } = await get(`/api/resources/${ids.people[0]}`)
    expect(status).toBe(200)
    expect(body.allocations).toEqual([
      expect.objectContaining({
        id: ids.allocation,
        kind: 'hard',
        hours_per_week: '30.00',
        project: expect.objectContaining({ id: ids.project, name: 'Acme website rebuild' }),
      }),
    ])
    expect(body.time_off).toEqual([])
    expect((await get(`/api/resources/${randomUUID()}`)).status).toBe(404)
  })
})

describe('quotes and clients', () => {
  it('lists quotes with the current version’s totals and shows versions with lines', async () => {
    const { ids } = h.tenant
    const list = await get('/api/quotes')
    expect(list.body.quotes).toEqual([
      expect.objectContaining({
        id: ids.quote,
        title: 'Acme rebuild quote',
        status: 'draft',
        price_minor: '3600000',
        margin_pct: '58.33',
        currency: 'USD',
        client: { id: ids.client, name: 'Acme Corp' },
      }),
    ])
    expect((await get('/api/quotes?status=approved')).body.quotes).toEqual([])
    const detail = await get(`/api/quotes/${ids.quote}`)
    expect(detail.body.versions).toHaveLength(1)
    expect(detail.body.versions[0].lines.map((l: { description: string }) => l.description)).toEqual([
      'Senior development',
      'Design',
    ])
    expect(detail.body.versions[0].lines[0]).toMatchObject({
      likely_hours: '200.00',
      role: { name: 'Developer' },
    })
  })

  it('lists clients with counts and shows one with its projects and quotes', async () => {
    const { ids } = h.tenant
    const list = await get('/api/clients')
    const acme = list.body.clients.find((c: { id: string }) => c.id === ids.client)
    expect(acme).toMatchObject({ name: 'Acme Corp', quote_count: 1 })
    expect(acme.project_count).toBeGreaterThanOrEqual(1)
    const detail = await get(`/api/clients/${ids.client}`)
    expect(detail.body.quotes.map((q: { id: string }) => q.id)).toEqual([ids.quote])
    expect((await get(`/api/clients/${ids.otherClient}`)).status).toBe(404)
  })
})

describe('proposals', () => {
  const post = async (url: string, user: Parameters<GatewayHarness['token']>[0], payload?: unknown) => {
    const res = await h.app.inject({
      method: 'POST',
      url,
      headers: await h.bearer(user),
      ...(payload === undefined ? {} : { payload: payload as object }),
    })
    return { status: res.statusCode, body: res.json() }
  }

  it('lists, shows, applies and reverts a proposal over HTTP', async () => {
    const { ids } = h.tenant
    const { proposalId } = await h.tenant.createProposal({
      version: 1,
      operations: [
        {
          op: 'update',
          table: 'milestones',
          id: ids.milestone,
          expected_version: 1,
          set: { name: 'Launch' },
        },
      ],
    })
    const pending = await get('/api/proposals?status=pending')
    expect(pending.body.proposals.map((p: { id: string }) => p.id)).toContain(proposalId)
    const detail = await get(`/api/proposals/${proposalId}`, 'viewer')
    expect(detail.body).toMatchObject({
      status: 'pending',
      change_count: 1,
      version: 1,
      revert_changeset: null,
    })

    const forbidden = await post(`/api/proposals/${proposalId}/apply`, 'member')
    expect(forbidden.status).toBe(403)
    expect(forbidden.body.error.code).toBe('FORBIDDEN')

    const stale = await post(`/api/proposals/${proposalId}/apply`, 'manager', { expected_version: 5 })
    expect(stale.status).toBe(409)
    expect(stale.body.error).toMatchObject({
      code: 'VERSION_CONFLICT',
      details: { table: 'proposals', current_version: 1 },
    })

    const applied = await post(`/api/proposals/${proposalId}/apply`, 'manager', { expected_version: 1 })
    expect(applied.status).toBe(200)
    expect(applied.body).toMatchObject({
      status: 'applied',
      applied_by: h.tenant.users.manager.id,
      version: 2,
    })
    expect(applied.body.revert_changeset.operations).toHaveLength(1)
    expect((await get(`/api/projects/${ids.project}`)).body.milestones[0].name).toBe('Launch')

    const again = await post(`/api/proposals/${proposalId}/apply`, 'manager')
    expect(again.status).toBe(409)
    expect(again.body.error.code).toBe('INVALID_STATE')

    const reverted = await post(`/api/proposals/${proposalId}/revert`, 'admin', { expected_version: 2 })
    expect(reverted.status).toBe(200)
    expect(reverted.body.status).toBe('reverted')
    expect((await get(`/api/projects/${ids.project}`)).body.milestones[0].name).toBe('Go live')
  })

  it('reports a conflicting row with 409 and which row changed, and records the failure', async () => {
    const { ids } = h.tenant
    const { proposalId } = await h.tenant.createProposal({
      version: 1,
      operations: [
        { op: 'update', table: 'tasks', id: ids.tasks[2], expected_version: 99, set: { name: 'Go' } },
      ],
    })
    const res = await post(`/api/proposals/${proposalId}/apply`, 'admin')
    expect(res.status).toBe(409)
    expect(res.body.error).toMatchObject({
      code: 'VERSION_CONFLICT',
      details: { table: 'tasks', id: ids.tasks[2], expected_version: 99, proposal_status: 'failed' },
    })
    const rejected = await post(`/api/proposals/${proposalId}/reject`, 'manager')
    expect(rejected.body).toMatchObject({ status: 'rejected', error: { code: 'VERSION_CONFLICT' } })
  })

  it('hides other organisations’ proposals and validates ids and bodies', async () => {
    const theirs = await h.tenant.createProposal(
      {
        version: 1,
        operations: [
          { op: 'update', table: 'projects', id: h.tenant.ids.otherProject, set: { health: 'red' } },
        ],
      },
      { organisationId: h.tenant.otherOrgId },
    )
    expect((await get(`/api/proposals/${theirs.proposalId}`)).status).toBe(404)
    expect((await post(`/api/proposals/${theirs.proposalId}/apply`, 'admin')).status).toBe(404)
    expect((await post('/api/proposals/not-a-uuid/apply', 'admin')).status).toBe(400)
    expect(
      (await post(`/api/proposals/${theirs.proposalId}/apply`, 'admin', { expected_version: 'one' })).status,
    ).toBe(400)
  })
})

describe('the demo data', () => {
  it('is readable by the demo admin, whose organisation is picked by default', async () => {
    const rows = await h.db.sql`select id, email from auth.users where email = 'admin@northwind.example'`
    const admin = rows[0] as { id: string; email: string } | undefined
    if (!admin) return expect.fail('the test database has no demo data (TEST_DATABASE_DEMO=0?)')
    const token = (await h.auth.issuer.mintAccessToken({ id: admin.id, email: admin.email })).accessToken
    const res = await h.app.inject({
      method: 'GET',
      url: '/api/projects?page_size=100',
      headers: { authorization: `Bearer ${token}` },
    })
    expect(res.statusCode).toBe(200)
    const projects = res.json().projects as { organisation_id: string; burn?: unknown }[]
    expect(projects.length).toBeGreaterThanOrEqual(15)
    expect(new Set(projects.map((p) => p.organisation_id)).size).toBe(1)
    const people = await h.app.inject({
      method: 'GET',
      url: '/api/resources?page_size=100',
      headers: { authorization: `Bearer ${token}` },
    })
    expect(people.json().resources.length).toBeGreaterThanOrEqual(40)
  })
})
