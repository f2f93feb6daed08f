import { priceQuote } from '@psa/pricing'
import { createParser } from 'eventsource-parser'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type GatewayHarness, type JsonBody, startGatewayHarness } from '../testing/harness.js'

// The read routes behind the web app's pages, on the tenant fixture (2027 dates, pinned with as_of).
let h: GatewayHarness
const get = async (url: string, user: Parameters<GatewayHarness['token']>[0] = 'viewer') => {
  const res = await h.app.inject({ method: 'GET', url, headers: await h.bearer(user) })
  return { status: res.statusCode, body: res.json() as JsonBody }
}

beforeAll(async () => {
  h = await startGatewayHarness({ listen: true })
})
afterAll(async () => {
  await h?.close()
})

describe('GET /api/me', () => {
  it('names the user and their organisation with its role, currency and locale', async () => {
    const { status, body } = await get('/api/me', 'manager')
    expect(status).toBe(200)
    expect(body).toEqual({
      user: { id: h.tenant.users.manager.id, email: h.tenant.users.manager.email },
      organisations: [
        {
          id: h.tenant.orgId,
          name: `Tenant ${h.tenant.tag}`,
          slug: `tenant-${h.tenant.tag}`,
          role: 'manager',
          currency: 'USD',
          locale: 'en-US',
          timezone: 'America/New_York',
        },
      ],
    })
  })
})

describe('GET /api/dashboard', () => {
  it('sums this month to date: utilisation against target, billable hours, revenue and margin', async () => {
    const { status, body } = await get('/api/dashboard?as_of=2027-01-29')
    expect(status).toBe(200)
    expect(body.period).toEqual({ starts_on: '2027-01-01', ends_on: '2027-01-29' })
    // 21 working days x (8 + 8 + 6.4) h; billable: 8 h of Dieter, 6.5 h of Ada.
    expect(body.utilisation).toEqual({
      utilisation_pct: '3.1',
      target_pct: '78.2',
      capacity_hours: '470.40',
      logged_hours: '16.50',
      billable_hours: '14.50',
    })
    // 8 h x 120.00 + 6.5 h x 160.00; cost 8 x 50.00 + 8.5 x 70.00.
    expect(body.revenue).toEqual({
      billable_value_minor: '200000',
      cost_minor: '99500',
      margin_minor: '100500',
      margin_pct: '50.2',
    })
    expect(body.last_month.period).toEqual({ starts_on: '2026-12-01', ends_on: '2026-12-31' })
    expect(body.last_month.revenue.billable_value_minor).toBe('0')
    const february = await get('/api/dashboard?as_of=2027-02-03')
    expect(february.body.last_month.utilisation).toMatchObject({
      billable_hours: '14.50',
      logged_hours: '16.50',
    })
    expect(february.body.last_month.revenue.margin_minor).toBe('100500')
    expect(body.projects_at_risk).toEqual([])
    expect(body.open_resource_requests).toMatchObject({ count: 1, hours_per_week: '20.00' })
    expect(body.open_resource_requests.items[0]).toMatchObject({
      role_name: 'Developer',
      skill_name: 'React',
      min_proficiency: 4,
    })
    expect(body.utilisation_by_week).toHaveLength(13)
    const week = body.utilisation_by_week.find((w: { week_start: string }) => w.week_start === '2027-01-25')
    expect(week).toMatchObject({ past: false, billable_hours: '6.50', booked_hours: '30.00' })
  })

  it('lists projects at risk with the reasons, and pending proposals', async () => {
    const { proposalId } = await h.tenant.createProposal(
      {
        version: 1,
        operations: [
          { op: 'update', table: 'tasks', id: h.tenant.ids.tasks[2], set: { estimate_hours: 20 } },
        ],
      },
      { title: 'Longer launch' },
    )
    const { body } = await get('/api/dashboard?as_of=2027-04-01')
    expect(body.projects_at_risk).toHaveLength(1)
    expect(body.projects_at_risk[0]).toMatchObject({ id: h.tenant.ids.project, burn: { burn_pct: '1.2' } })
    expect(body.projects_at_risk[0].reasons.map((r: { code: string }) => r.code)).toEqual([
      'late_milestone',
      'past_end_date',
    ])
    expect(body.pending_proposals.count).toBeGreaterThanOrEqual(1)
    expect(body.pending_proposals.items.map((p: { id: string }) => p.id)).toContain(proposalId)
  })
})

describe('projects', () => {
  it('shows a project with its critical path, team, health reasons and baseline', async () => {
    const { ids } = h.tenant
    const before = await get(`/api/projects/${ids.project}?as_of=2027-02-01`)
    expect(before.status).toBe(200)
    // Discovery ends long before the build starts; build -> launch (FS, 1 day over a weekend) sets the end.
    expect(before.body.critical_path).toEqual({
      task_ids: [ids.tasks[1], ids.tasks[2]],
      finishes_on: '2027-03-26',
    })
    expect(before.body.baseline).toBeNull()
    expect(before.body.health_reasons).toEqual([])
    expect(before.body.team).toEqual([
      {
        person: { id: ids.people[0], full_name: 'Ada Lovelace' },
        role: { id: ids.developerRole, name: 'Developer' },
        booking_kinds: ['hard'],
        booked_hours_per_week: expect.any(String),
        booked_from: '2027-01-25',
        booked_until: '2027-03-12',
        hours_logged: '8.50',
      },
      {
        person: { id: ids.people[2], full_name: 'Dieter Rams' },
        role: { id: ids.designerRole, name: 'Designer' },
        booking_kinds: [],
        booked_hours_per_week: '0',
        booked_from: null,
        booked_until: null,
        hours_logged: '8.00',
      },
    ])

    await h.db.sql`insert into public.baselines (organisation_id, project_id, name, snapshot) values
      (${h.tenant.orgId}, ${ids.project}, 'Kick-off', ${h.db.sql.json({
        starts_on: '2027-01-04',
        ends_on: '2027-03-19',
        budget_minor: 15000000,
        tasks: [{ task_id: ids.tasks[2], starts_on: '2027-03-08', ends_on: '2027-03-19' }, { junk: true }],
        milestones: [{ milestone_id: ids.milestone, due_on: '2027-03-19' }],
      })})`
    const after = await get(`/api/projects/${ids.project}?as_of=2027-02-01`)
    expect(after.body.baseline).toMatchObject({
      name: 'Kick-off',
      ends_on: '2027-03-19',
      budget_minor: '15000000',
      tasks: [{ task_id: ids.tasks[2], starts_on: '2027-03-08', ends_on: '2027-03-19' }],
      milestones: [{ milestone_id: ids.milestone, due_on: '2027-03-19' }],
    })
    expect(after.body.health_reasons).toEqual([
      {
        code: 'behind_baseline',
        severity: 'amber',
        message: 'Ends 2027-03-26, later than its baseline’s 2027-03-19',
      },
    ])
    const list = await get('/api/projects?as_of=2027-02-01')
    expect(list.body.projects[0]).toMatchObject({
      id: ids.project,
      burn_pct: '1.2',
      percent_complete: '35.2',
      health_reasons: [{ code: 'behind_baseline' }],
    })
  })
})

describe('resources', () => {
  it('answers the capacity heatmap with soft and hard bookings and flags over-allocation', async () => {
    const { ids, orgId } = h.tenant
    await h.db
      .sql`insert into public.allocations (organisation_id, project_id, person_id, kind, starts_on, ends_on,
        hours_per_week) values (${orgId}, ${ids.project}, ${ids.people[0]}, 'soft', '2027-02-01', '2027-02-05', 20)`
    const { status, body } = await get('/api/resources/capacity?from=2027-01-27&weeks=2')
    expect(status).toBe(200)
    expect(body.weeks).toEqual([
      { starts_on: '2027-01-25', ends_on: '2027-01-31' },
      { starts_on: '2027-02-01', ends_on: '2027-02-07' },
    ])
    const ada = body.people.find((p: { id: string }) => p.id === ids.people[0])
    expect(ada.weeks[0]).toMatchObject({ capacity_hours: '40.00', hard_hours: '30.00', soft_hours: '0.00' })
    expect(ada.weeks[0].over_allocated).toBe(false)
    expect(ada.weeks[1]).toMatchObject({ hard_hours: '30.00', soft_hours: '20.00', booked_pct: '125.0' })
    expect(ada.weeks[1].over_allocated).toBe(true)
    const designers = await get(`/api/resources/capacity?from=2027-01-27&weeks=1&role_id=${ids.designerRole}`)
    expect(designers.body.people.map((p: { full_name: string }) => p.full_name)).toEqual(['Dieter Rams'])
    expect(designers.body.people[0].weeks[0].capacity_hours).toBe('32.00')
  })

  it('shows a person’s weekly utilisation', async () => {
    const { body } = await get(`/api/resources/${h.tenant.ids.people[2]}?as_of=2027-01-20`)
    expect(body.utilisation).toHaveLength(20)
    const week = body.utilisation.find((w: { starts_on: string }) => w.starts_on === '2027-01-04')
    expect(week).toMatchObject({ capacity_hours: '32.00', logged_hours: '8.00', billable_hours: '8.00' })
    expect((await get('/api/resources/capacity?weeks=27')).status).toBe(400)
  })
})

describe('quotes', () => {
  it('prices every version’s P90 and each line’s expected hours from the lines', async () => {
    const { body } = await get(`/api/quotes/${h.tenant.ids.quote}`)
    const totals = priceQuote(
      [
        {
          optimisticHours: 180,
          likelyHours: 200,
          pessimisticHours: 260,
          costRateMinor: 6000,
          billRateMinor: 15000,
        },
        {
          optimisticHours: 60,
          likelyHours: 80,
          pessimisticHours: 110,
          costRateMinor: 5000,
          billRateMinor: 12000,
        },
      ],
      { contingencyPct: 10, discountPct: 5 },
    )
    expect(body.versions[0]).toMatchObject({
      p50_price_minor: '3500000',
      p80_price_minor: '3900000',
      p90_price_minor: String(totals.p90PriceMinor),
      expected_hours: '288.33',
    })
    expect(body.versions[0].lines.map((l: { expected_hours: string }) => l.expected_hours)).toEqual([
      '206.67',
      '81.67',
    ])
    expect(body.versions[0].lines[0].line_cost_minor).toBe(String(totals.lines[0]?.costMinor))
  })
})

describe('proposal diff and the change feed', () => {
  it('shows a proposal as before/after with names, streams the change to open pages, and no other tenant’s', async () => {
    const { ids, orgId, otherOrgId } = h.tenant
    const { proposalId } = await h.tenant.createProposal({
      version: 1,
      operations: [
        {
          op: 'update',
          table: 'tasks',
          id: ids.tasks[2],
          set: { name: 'Launch and hypercare', assignee_person_id: ids.people[1] },
        },
        {
          op: 'insert',
          table: 'milestones',
          values: {
            id: '7f3c2d4e-1111-4aaa-8bbb-000000000001',
            project_id: ids.project,
            name: 'Hypercare ends',
            due_on: '2027-04-09',
          },
        },
      ],
    })
    const pending = await get(`/api/proposals/${proposalId}/diff`)
    expect(pending.status).toBe(200)
    expect(pending.body.before_from).toBe('current_data')
    expect(pending.body.operations[0]).toEqual({
      op: 'update',
      table: 'tasks',
      id: ids.tasks[2],
      label: 'Launch and hypercare',
      changes: [
        {
          column: 'name',
          before: 'Launch',
          after: 'Launch and hypercare',
          before_label: null,
          after_label: null,
        },
        {
          column: 'assignee_person_id',
          before: null,
          after: ids.people[1],
          before_label: null,
          after_label: 'Grace Hopper',
        },
      ],
    })
    expect(pending.body.operations[1]).toMatchObject({
      op: 'insert',
      table: 'milestones',
      label: 'Hypercare ends',
    })
    expect(pending.body.operations[1].changes).toContainEqual({
      column: 'project_id',
      before: null,
      after: ids.project,
      before_label: null,
      after_label: `ACME-${h.tenant.tag} Acme website rebuild`,
    })

    const events = await openChangeFeed(await h.token('viewer'))
    // Another organisation's write first: it must never reach this stream.
    await h.db
      .sql`update public.projects set description = 'other tenant' where organisation_id = ${otherOrgId}`
    await new Promise((r) => setTimeout(r, 400))
    const applied = await h.app.inject({
      method: 'POST',
      url: `/api/proposals/${proposalId}/apply`,
      headers: await h.bearer('manager'),
    })
    expect(applied.statusCode).toBe(200)
    const first = await events.next()
    expect(first).toEqual({ tables: ['milestones', 'proposals', 'tasks'] })
    events.close()

    const after = await get(`/api/proposals/${proposalId}/diff`)
    expect(after.body.before_from).toBe('revert_changeset')
    expect(after.body.operations[0].changes[0]).toMatchObject({
      before: 'Launch',
      after: 'Launch and hypercare',
    })
    expect(orgId).not.toBe(otherOrgId)
  })

  it('refuses the change feed without a token and for an organisation the user is not in', async () => {
    expect((await fetch(`${h.baseUrl}/api/changes`)).status).toBe(401)
    const res = await fetch(`${h.baseUrl}/api/changes`, {
      headers: { ...(await h.bearer('viewer')), 'x-organisation-id': h.tenant.otherOrgId },
    })
    expect(res.status).toBe(404)
  })
})

/** Opens GET /api/changes and hands out its `change` events one by one. */
async function openChangeFeed(token: string) {
  const controller = new AbortController()
  const res = await fetch(`${h.baseUrl}/api/changes`, {
    headers: { authorization: `Bearer ${token}` },
    signal: controller.signal,
  })
  expect(res.status).toBe(200)
  expect(res.headers.get('content-type')).toContain('text/event-stream')
  const queue: unknown[] = []
  const waiting: ((v: unknown) => void)[] = []
  const parser = createParser({
    onEvent: (e) => {
      if (e.event !== 'change') return
      const value = JSON.parse(e.data)
      const next = waiting.shift()
      if (next) next(value)
      else queue.push(value)
    },
  })
  const reader = (res.body as ReadableStream<Uint8Array>).getReader()
  const decoder = new TextDecoder()
  void (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read()
        if (done) return
        parser.feed(decoder.decode(value, { stream: true }))
      }
    } catch {
      // aborted by close()
    }
  })()
  // The subscription is registered before the response head is sent, so writes from here on are seen.
  return {
    next: () =>
      queue.length > 0
        ? Promise.resolve(queue.shift())
        : new Promise((resolve, reject) => {
            waiting.push(resolve)
            setTimeout(() => reject(new Error('no change event within 5 s')), 5_000)
          }),
    close: () => controller.abort(),
  }
}
