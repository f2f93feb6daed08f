import { addDays, daysBetween, isoWeekday, isWeekend, mondayOf } from '@psa/calendar'
import type { QuoteStatus } from '@psa/db'
import { describe, expect, it } from 'vitest'
import { BLUEBIRD_ORGANISATION_ID, DEMO_USERS, NORTHWIND_ORGANISATION_ID as NW } from './constants.js'
import { generateDemoData } from './generate.js'
import { quoteTotals } from './pricing.js'
import type { DemoTableName, DemoTables } from './types.js'

type AnyRow = { id: string; organisation_id?: string } & Record<string, unknown>

function byId<T extends { id: string }>(rows: readonly T[]): Map<string, T> {
  return new Map(rows.map((r) => [r.id, r]))
}

function duplicates(values: readonly string[]): string[] {
  const seen = new Set<string>()
  const repeated: string[] = []
  for (const v of values) {
    if (seen.has(v)) repeated.push(v)
    seen.add(v)
  }
  return repeated
}

/** [table, column, referenced table] for every foreign key; the referenced row must be in the same organisation. */
const FOREIGN_KEYS: Array<[DemoTableName, string, DemoTableName]> = [
  ['memberships', 'user_id', 'auth_users'],
  ['holidays', 'location_id', 'locations'],
  ['people', 'role_id', 'roles'],
  ['people', 'location_id', 'locations'],
  ['people', 'user_id', 'auth_users'],
  ['person_skills', 'person_id', 'people'],
  ['person_skills', 'skill_id', 'skills'],
  ['time_off', 'person_id', 'people'],
  ['clients', 'default_rate_card_id', 'rate_cards'],
  ['rate_cards', 'client_id', 'clients'],
  ['rate_card_lines', 'rate_card_id', 'rate_cards'],
  ['rate_card_lines', 'role_id', 'roles'],
  ['projects', 'client_id', 'clients'],
  ['projects', 'manager_person_id', 'people'],
  ['projects', 'rate_card_id', 'rate_cards'],
  ['phases', 'project_id', 'projects'],
  ['tasks', 'project_id', 'projects'],
  ['tasks', 'phase_id', 'phases'],
  ['tasks', 'role_id', 'roles'],
  ['tasks', 'assignee_person_id', 'people'],
  ['task_dependencies', 'predecessor_task_id', 'tasks'],
  ['task_dependencies', 'successor_task_id', 'tasks'],
  ['milestones', 'project_id', 'projects'],
  ['baselines', 'project_id', 'projects'],
  ['baselines', 'created_by', 'auth_users'],
  ['resource_requests', 'project_id', 'projects'],
  ['resource_requests', 'role_id', 'roles'],
  ['resource_requests', 'skill_id', 'skills'],
  ['allocations', 'project_id', 'projects'],
  ['allocations', 'person_id', 'people'],
  ['allocations', 'task_id', 'tasks'],
  ['allocations', 'resource_request_id', 'resource_requests'],
  ['time_entries', 'person_id', 'people'],
  ['time_entries', 'project_id', 'projects'],
  ['time_entries', 'task_id', 'tasks'],
  ['quotes', 'client_id', 'clients'],
  ['quotes', 'project_id', 'projects'],
  ['quotes', 'approved_by', 'auth_users'],
  ['quote_versions', 'quote_id', 'quotes'],
  ['quote_versions', 'rate_card_id', 'rate_cards'],
  ['quote_versions', 'created_by', 'auth_users'],
  ['quote_lines', 'quote_version_id', 'quote_versions'],
  ['quote_lines', 'role_id', 'roles'],
  ['agent_sessions', 'user_id', 'auth_users'],
  ['agent_sessions', 'parent_session_id', 'agent_sessions'],
  ['agent_logs', 'session_id', 'agent_sessions'],
  ['proposals', 'session_id', 'agent_sessions'],
  ['proposals', 'applied_by', 'auth_users'],
  ['proposals', 'rejected_by', 'auth_users'],
  ['agent_dead_letters', 'session_id', 'agent_sessions'],
]

/** Unique keys of the schema (beyond primary keys). */
const UNIQUE_KEYS: Array<[DemoTableName, (row: AnyRow) => string]> = [
  ['organisations', (r) => String(r.slug)],
  ['memberships', (r) => `${r.organisation_id}/${r.user_id}`],
  ['locations', (r) => `${r.organisation_id}/${r.name}`],
  ['holidays', (r) => `${r.location_id}/${r.holiday_date}`],
  ['roles', (r) => `${r.organisation_id}/${r.name}`],
  ['skills', (r) => `${r.organisation_id}/${r.name}`],
  ['people', (r) => `${r.organisation_id}/${String(r.email).toLowerCase()}`],
  ['person_skills', (r) => `${r.person_id}/${r.skill_id}`],
  ['clients', (r) => `${r.organisation_id}/${r.name}`],
  ['rate_cards', (r) => `${r.organisation_id}/${r.client_id}/${r.name}`],
  ['projects', (r) => `${r.organisation_id}/${r.code}`],
  ['phases', (r) => `${r.project_id}/${r.sequence}`],
  ['task_dependencies', (r) => `${r.predecessor_task_id}/${r.successor_task_id}`],
  ['quote_versions', (r) => `${r.quote_id}/${r.version_number}`],
  ['agent_logs', (r) => `${r.session_id}/${r.seq}`],
  ['proposals', (r) => `${r.session_id}/${r.idempotency_key}`],
]

describe.each(['2026-11-25', '2026-12-31', '2027-06-02'])('the demo data invariants, today = %s', (today) => {
  const { tables, anchor } = generateDemoData({ today })
  const rowsOf = (table: DemoTableName) => tables[table] as unknown as AnyRow[]
  const people = byId(tables.people)
  const projects = byId(tables.projects)
  const tasks = byId(tables.tasks)
  const phases = byId(tables.phases)

  it('has unique ids and honours every unique key', () => {
    const all = (Object.keys(tables) as DemoTableName[]).flatMap((t) => rowsOf(t).map((r) => r.id))
    expect(duplicates(all)).toEqual([])
    for (const [table, key] of UNIQUE_KEYS) expect(duplicates(rowsOf(table).map(key)), table).toEqual([])
    const linked = tables.people.filter((p) => p.user_id).map((p) => `${p.organisation_id}/${p.user_id}`)
    expect(duplicates(linked)).toEqual([])
  })

  it('references only existing rows of the same organisation', () => {
    for (const [table, column, target] of FOREIGN_KEYS) {
      const targets = byId(rowsOf(target))
      for (const row of rowsOf(table)) {
        const ref = row[column] as string | null
        if (ref === null || ref === undefined) continue
        const found = targets.get(ref)
        expect(found, `${table}.${column} -> ${target}`).toBeDefined()
        if (found?.organisation_id && row.organisation_id) {
          expect(found.organisation_id, `${table}.${column} crosses organisations`).toBe(row.organisation_id)
        }
      }
    }
    // Children of a project point at rows of the same project.
    for (const t of tables.tasks)
      if (t.phase_id) expect(phases.get(t.phase_id)?.project_id).toBe(t.project_id)
    for (const d of tables.task_dependencies) {
      expect(tasks.get(d.predecessor_task_id)?.project_id).toBe(d.project_id)
      expect(tasks.get(d.successor_task_id)?.project_id).toBe(d.project_id)
    }
    for (const e of tables.time_entries)
      if (e.task_id) expect(tasks.get(e.task_id)?.project_id).toBe(e.project_id)
  })

  it('has exactly the agreed demo users, each a member of one organisation and linked to one person', () => {
    expect(tables.auth_users.map((u) => u.email).sort()).toEqual(
      [
        'admin@bluebird.example',
        'admin@northwind.example',
        'manager@northwind.example',
        'member@bluebird.example',
        'member@northwind.example',
        'owner@northwind.example',
        'viewer@northwind.example',
      ].sort(),
    )
    for (const user of DEMO_USERS) {
      const memberships = tables.memberships.filter((m) => m.user_id === user.id)
      expect(memberships.map((m) => [m.organisation_id, m.role])).toEqual([[user.organisationId, user.role]])
      const persons = tables.people.filter((p) => p.user_id === user.id)
      expect(persons.map((p) => [p.organisation_id, p.email, p.full_name])).toEqual([
        [user.organisationId, user.email, user.fullName],
      ])
    }
  })

  it('keeps every date range ordered and nested', () => {
    for (const p of tables.projects) {
      expect(p.ends_on >= p.starts_on).toBe(true)
      const mine = tables.phases
        .filter((ph) => ph.project_id === p.id)
        .sort((a, b) => a.sequence - b.sequence)
      expect(mine.map((ph) => ph.sequence)).toEqual(mine.map((_, i) => i + 1))
      expect(mine[0]?.starts_on).toBe(p.starts_on)
      expect(mine[mine.length - 1]?.ends_on).toBe(p.ends_on)
      mine.forEach((ph, i) => {
        expect(ph.ends_on >= ph.starts_on).toBe(true)
        if (i > 0) expect(ph.starts_on > (mine[i - 1]?.ends_on ?? '')).toBe(true)
      })
      expect((p.status === 'tentative') === (p.win_probability_pct !== null)).toBe(true)
    }
    for (const t of tables.tasks) {
      const phase = phases.get(t.phase_id ?? '')
      expect(t.ends_on >= t.starts_on).toBe(true)
      expect(t.starts_on >= (phase?.starts_on ?? '') && t.ends_on <= (phase?.ends_on ?? '')).toBe(true)
      expect(isWeekend(t.starts_on) || isWeekend(t.ends_on)).toBe(false)
    }
    for (const r of [...tables.time_off, ...tables.resource_requests, ...tables.allocations])
      expect(r.ends_on >= r.starts_on).toBe(true)
    for (const p of tables.people) {
      expect(p.employment_end === null || p.employment_end >= p.employment_start).toBe(true)
      expect(p.active).toBe(p.employment_end === null)
    }
    for (const l of tables.rate_card_lines)
      expect(l.effective_to === null || l.effective_to >= l.effective_from).toBe(true)
  })

  it('has acyclic task dependencies that the planned dates satisfy', () => {
    for (const project of tables.projects) {
      const deps = tables.task_dependencies.filter((d) => d.project_id === project.id)
      const incoming = new Map<string, number>()
      for (const d of deps) incoming.set(d.successor_task_id, (incoming.get(d.successor_task_id) ?? 0) + 1)
      const ready = tables.tasks
        .filter((t) => t.project_id === project.id && !incoming.get(t.id))
        .map((t) => t.id)
      let visited = 0
      while (ready.length > 0) {
        const id = ready.pop() as string
        visited++
        for (const d of deps.filter((x) => x.predecessor_task_id === id)) {
          const left = (incoming.get(d.successor_task_id) ?? 0) - 1
          incoming.set(d.successor_task_id, left)
          if (left === 0) ready.push(d.successor_task_id)
        }
      }
      expect(visited, `${project.code} has a cycle`).toBe(
        tables.tasks.filter((t) => t.project_id === project.id).length,
      )
    }
    const types = new Set<string>()
    for (const d of tables.task_dependencies) {
      const pred = tasks.get(d.predecessor_task_id)
      const succ = tasks.get(d.successor_task_id)
      if (!pred || !succ) throw new Error('dangling dependency')
      types.add(d.dependency_type)
      expect(d.lag_days).toBeGreaterThanOrEqual(0)
      if (d.dependency_type === 'finish_to_start')
        expect(daysBetween(pred.ends_on, succ.starts_on)).toBeGreaterThanOrEqual(1 + d.lag_days)
      if (d.dependency_type === 'start_to_start')
        expect(daysBetween(pred.starts_on, succ.starts_on)).toBeGreaterThanOrEqual(d.lag_days)
      if (d.dependency_type === 'finish_to_finish')
        expect(daysBetween(pred.ends_on, succ.ends_on)).toBeGreaterThanOrEqual(d.lag_days)
    }
    expect(types).toEqual(new Set(['finish_to_start', 'start_to_start', 'finish_to_finish']))
    expect(tables.task_dependencies.some((d) => d.lag_days > 0)).toBe(true)
  })

  it('keeps task progress consistent with the dates and the project status', () => {
    for (const t of tables.tasks) {
      const project = projects.get(t.project_id)
      if (t.status === 'done') expect(t.percent_complete).toBe(100)
      if (t.status === 'not_started') expect(t.percent_complete).toBe(0)
      if (t.status === 'in_progress' || t.status === 'blocked') {
        expect(t.percent_complete).toBeGreaterThan(0)
        expect(t.percent_complete).toBeLessThan(100)
      }
      if (t.status !== 'not_started') expect(t.starts_on < anchor).toBe(true)
      if (project?.status === 'completed') expect(t.status).toBe('done')
      if (project?.status === 'tentative')
        expect([t.status, t.assignee_person_id]).toEqual(['not_started', null])
      if (project?.status === 'active') {
        if (t.ends_on < anchor && t.status !== 'done') expect(t.status).toBe('in_progress')
        if (t.starts_on >= anchor) expect(t.status).toBe('not_started')
        if (t.status === 'in_progress' || t.status === 'blocked') expect(t.assignee_person_id).not.toBeNull()
      }
    }
    const statuses = new Set(tables.tasks.map((t) => t.status))
    expect(statuses).toEqual(new Set(['not_started', 'in_progress', 'blocked', 'done']))
  })

  it('completes milestones only in the past, and every past one but the planted late one', () => {
    for (const m of tables.milestones) {
      const project = projects.get(m.project_id)
      if (m.completed_on !== null) expect(m.completed_on < anchor).toBe(true)
      if (project?.status === 'completed') expect(m.completed_on).not.toBeNull()
      if (m.due_on >= anchor) expect(m.completed_on).toBeNull()
    }
    expect(tables.milestones.filter((m) => m.completed_on !== null).length).toBeGreaterThan(10)
  })

  it('books allocations inside their projects: hard for running work, soft for tentative work', () => {
    for (const a of tables.allocations) {
      const project = projects.get(a.project_id)
      const person = people.get(a.person_id)
      if (!project || !person) throw new Error('dangling allocation')
      expect(a.starts_on >= project.starts_on && a.ends_on <= project.ends_on, project.code).toBe(true)
      expect(a.kind).toBe(project.status === 'tentative' ? 'soft' : 'hard')
      expect(isoWeekday(a.starts_on)).toBe(1)
      expect(isoWeekday(a.ends_on)).toBe(5)
      expect(a.starts_on >= person.employment_start).toBe(true)
      if (person.employment_end) expect(a.ends_on <= person.employment_end).toBe(true)
      if (a.resource_request_id) {
        const request = tables.resource_requests.find((r) => r.id === a.resource_request_id)
        expect(request?.status).toBe(
          a.hours_per_week < (request?.hours_per_week ?? 0) ? 'partially_filled' : 'filled',
        )
      }
    }
    for (const r of tables.resource_requests) {
      const filled = tables.allocations.some((a) => a.resource_request_id === r.id)
      expect(filled).toBe(r.status === 'filled' || r.status === 'partially_filled')
    }
    const statuses = new Set(tables.resource_requests.map((r) => r.status))
    expect(statuses.has('open') && statuses.has('filled') && statuses.has('partially_filled')).toBe(true)
  })

  it('logs time only on working days, inside hard allocations, before today', () => {
    const holidays = new Set(tables.holidays.map((h) => `${h.location_id}/${h.holiday_date}`))
    const daysOff = new Set<string>()
    for (const off of tables.time_off) {
      for (let d = off.starts_on; d <= off.ends_on; d = addDays(d, 1)) daysOff.add(`${off.person_id}/${d}`)
    }
    const perDay = new Map<string, number>()
    const perWeek = new Map<string, number>()
    const years = new Set(tables.holidays.map((h) => h.holiday_date.slice(0, 4)))
    for (const e of tables.time_entries) {
      const person = people.get(e.person_id)
      if (!person) throw new Error('dangling time entry')
      expect(years.has(e.work_date.slice(0, 4)), 'a year without holidays').toBe(true)
      expect(isWeekend(e.work_date)).toBe(false)
      expect(holidays.has(`${person.location_id}/${e.work_date}`), `${person.full_name} on a holiday`).toBe(
        false,
      )
      expect(daysOff.has(`${person.id}/${e.work_date}`), `${person.full_name} on time off`).toBe(false)
      expect(e.work_date < anchor).toBe(true)
      expect(
        e.work_date >= person.employment_start &&
          (!person.employment_end || e.work_date <= person.employment_end),
      ).toBe(true)
      if (person.weekly_capacity_hours < 40) expect(isoWeekday(e.work_date)).not.toBe(5)
      expect(e.hours).toBeGreaterThan(0)
      expect(e.hours * 4).toBe(Math.round(e.hours * 4))
      const allocation = tables.allocations.find(
        (a) =>
          a.kind === 'hard' &&
          a.person_id === e.person_id &&
          a.project_id === e.project_id &&
          a.starts_on <= e.work_date &&
          e.work_date <= a.ends_on,
      )
      expect(allocation, 'time outside any hard allocation').toBeDefined()
      perDay.set(
        `${e.person_id}/${e.work_date}`,
        (perDay.get(`${e.person_id}/${e.work_date}`) ?? 0) + e.hours,
      )
      const week = `${e.person_id}/${e.project_id}/${mondayOf(e.work_date)}`
      perWeek.set(week, (perWeek.get(week) ?? 0) + e.hours)
    }
    expect(Math.max(...perDay.values())).toBeLessThanOrEqual(12)
    for (const [key, hours] of perWeek) {
      const [personId, projectId] = key.split('/')
      const booked = Math.max(
        ...tables.allocations
          .filter((a) => a.person_id === personId && a.project_id === projectId && a.kind === 'hard')
          .map((a) => a.hours_per_week),
      )
      expect(hours).toBeLessThanOrEqual(booked * 1.25)
    }
    expect(tables.time_entries.some((e) => !e.billable)).toBe(true)
  })

  it('gives people rates that follow their role and level, and a realistic spread of skills', () => {
    const roles = byId(tables.roles)
    for (const p of tables.people) {
      const role = roles.get(p.role_id)
      if (!role) throw new Error('dangling role')
      expect(p.level).toBeGreaterThanOrEqual(1)
      expect(p.level).toBeLessThanOrEqual(5)
      expect(p.cost_rate_minor / role.cost_rate_minor).toBeGreaterThan(0.8)
      expect(p.cost_rate_minor / role.cost_rate_minor).toBeLessThan(1.2)
      expect(p.bill_rate_minor).toBeGreaterThan(p.cost_rate_minor * 1.8)
      expect([32, 40]).toContain(p.weekly_capacity_hours)
    }
    for (const role of tables.roles) {
      const mine = tables.people.filter((p) => p.role_id === role.id)
      for (const a of mine)
        for (const b of mine)
          if (a.level > b.level) expect(a.cost_rate_minor).toBeGreaterThan(b.cost_rate_minor)
      expect(role.utilisation_target_pct).toBeGreaterThanOrEqual(60)
      expect(role.utilisation_target_pct).toBeLessThanOrEqual(85)
    }
    const levels = tables.person_skills.filter((s) => s.organisation_id === NW).map((s) => s.proficiency)
    for (const level of [1, 2, 3, 4, 5]) expect(levels).toContain(level)
    const mean = levels.reduce((a, b) => a + b, 0) / levels.length
    expect(mean).toBeGreaterThan(2.5)
    expect(mean).toBeLessThan(4)
  })

  it('has holidays for every location this year and next, and a dated rate change in the past', () => {
    const year = Number(anchor.slice(0, 4))
    for (const location of tables.locations) {
      for (const y of [year, year + 1]) {
        const count = tables.holidays.filter(
          (h) => h.location_id === location.id && h.holiday_date.startsWith(String(y)),
        ).length
        expect(count, `${location.name} ${y}`).toBeGreaterThanOrEqual(8)
      }
    }
    const standard = tables.rate_cards.find((c) => c.organisation_id === NW && c.client_id === null)
    const lines = tables.rate_card_lines.filter((l) => l.rate_card_id === standard?.id)
    const ended = lines.filter((l) => l.effective_to !== null && l.effective_to < anchor)
    expect(ended.length).toBe(12)
    for (const old of ended) {
      const next = lines.find(
        (l) => l.role_id === old.role_id && l.effective_from === addDays(old.effective_to ?? '', 1),
      )
      expect(next?.bill_rate_minor).toBeGreaterThan(old.bill_rate_minor)
    }
    const clientCards = tables.rate_cards.filter((c) => c.organisation_id === NW && c.client_id !== null)
    expect(clientCards.length).toBe(2)
    for (const card of clientCards)
      expect(tables.clients.find((c) => c.id === card.client_id)?.default_rate_card_id).toBe(card.id)
    expect(tables.rate_cards.filter((c) => c.is_default).map((c) => c.client_id)).toEqual([null, null])
  })

  it('has quotes in every status whose totals follow from their lines', () => {
    const statuses: QuoteStatus[] = [
      'draft',
      'pending_approval',
      'approved',
      'sent',
      'accepted',
      'rejected',
      'expired',
    ]
    const northwind = tables.quotes.filter((q) => q.organisation_id === NW)
    expect(new Set(northwind.map((q) => q.status))).toEqual(new Set(statuses))
    expect(northwind.some((q) => tables.quote_versions.filter((v) => v.quote_id === q.id).length >= 3)).toBe(
      true,
    )
    for (const q of tables.quotes) {
      const versions = tables.quote_versions
        .filter((v) => v.quote_id === q.id)
        .sort((a, b) => a.version_number - b.version_number)
      expect(versions.map((v) => v.version_number)).toEqual(versions.map((_, i) => i + 1))
      expect(q.current_version).toBe(versions.length)
      const approved = ['approved', 'sent', 'accepted', 'rejected', 'expired'].includes(q.status)
      expect(q.approved_by !== null).toBe(approved)
      expect(q.approved_at !== null).toBe(approved)
      if (q.status === 'expired') expect(q.valid_until < anchor).toBe(true)
      if (['draft', 'pending_approval', 'approved', 'sent'].includes(q.status))
        expect(q.valid_until >= anchor).toBe(true)
      expect(q.project_id !== null).toBe(q.status === 'accepted')
      if (q.project_id) {
        const last = versions[versions.length - 1]
        expect(projects.get(q.project_id)?.budget_minor).toBe(last?.price_minor)
        expect(projects.get(q.project_id)?.client_id).toBe(q.client_id)
      }
      for (const v of versions) {
        const lines = tables.quote_lines.filter((l) => l.quote_version_id === v.id)
        expect(lines.length).toBeGreaterThan(0)
        const totals = quoteTotals(
          lines.map((l) => ({
            optimisticHours: l.optimistic_hours,
            likelyHours: l.likely_hours,
            pessimisticHours: l.pessimistic_hours,
            costRateMinor: l.cost_rate_minor,
            billRateMinor: l.bill_rate_minor,
          })),
          { contingencyPct: v.contingency_pct, discountPct: v.discount_pct },
        )
        expect([v.cost_minor, v.price_minor, v.margin_pct, v.p50_price_minor, v.p80_price_minor]).toEqual([
          totals.costMinor,
          totals.priceMinor,
          totals.marginPct,
          totals.p50PriceMinor,
          totals.p80PriceMinor,
        ])
        // Cross-checked without the pricing module: cost is the PERT-expected hours times the cost rates.
        const cost = lines.reduce(
          (sum, l) =>
            sum + ((l.optimistic_hours + 4 * l.likely_hours + l.pessimistic_hours) / 6) * l.cost_rate_minor,
          0,
        )
        expect(Math.abs(v.cost_minor - cost)).toBeLessThanOrEqual(0.5 + 1e-6)
        expect(v.p80_price_minor).toBeGreaterThanOrEqual(v.p50_price_minor)
        expect(v.margin_pct).toBeCloseTo(((v.price_minor - v.cost_minor) / v.price_minor) * 100, 1)
        for (const l of lines) {
          expect(l.optimistic_hours <= l.likely_hours && l.likely_hours <= l.pessimistic_hours).toBe(true)
          expect(l.cost_rate_minor).toBe(tables.roles.find((r) => r.id === l.role_id)?.cost_rate_minor)
        }
      }
    }
    const pending = northwind.filter((q) => q.status === 'pending_approval')
    for (const q of pending) {
      const last = tables.quote_versions
        .filter((v) => v.quote_id === q.id)
        .sort((a, b) => b.version_number - a.version_number)[0]
      expect(last?.margin_pct).toBeLessThan(last?.target_margin_pct ?? 0)
    }
  })

  it('records agent sessions the way the agent pipeline writes them', () => {
    const sessions = tables.agent_sessions
    expect(new Set(sessions.map((s) => s.agent_type))).toEqual(
      new Set(['project_management', 'resourcing', 'quotes', 'orchestrator']),
    )
    for (const s of sessions) {
      expect(s.completed_at !== null && s.started_at !== null).toBe(true)
      expect(s.queued_at <= (s.started_at ?? '') && (s.started_at ?? '') <= (s.completed_at ?? '')).toBe(true)
      expect(s.completed_at && s.completed_at < `${anchor}T00:00:00.000Z`).toBe(true)
      if (s.status === 'failed' || s.status === 'cancelled')
        expect(s.error).toMatchObject({ code: expect.any(String), message: expect.any(String) })
      if (s.status === 'completed') expect(s.result).not.toBeNull()
      const logs = tables.agent_logs.filter((l) => l.session_id === s.id).sort((a, b) => a.seq - b.seq)
      expect(logs.map((l) => l.seq)).toEqual(logs.map((_, i) => i + 1))
      for (const [i, log] of logs.entries()) {
        expect(log.data).toMatchObject({
          session_id: s.id,
          seq: log.seq,
          type: log.event_type,
          agent: log.agent_name,
          time: log.created_at,
        })
        if (i > 0) expect(log.created_at >= (logs[i - 1]?.created_at ?? '')).toBe(true)
      }
      const last = logs[logs.length - 1]
      expect(last?.event_type).toBe('status_changed')
      expect((last?.data as { data?: { status?: string } } | undefined)?.data?.status).toBe(s.status)
    }
    const proposals = tables.proposals
    expect(new Set(proposals.map((p) => p.status))).toEqual(new Set(['applied', 'rejected', 'pending']))
    const every = new Map<string, DemoTables[DemoTableName][number]>()
    for (const table of Object.keys(tables) as DemoTableName[])
      for (const row of tables[table]) every.set(row.id, row)
    for (const p of proposals) {
      const operations = (
        p.changeset as {
          version: number
          operations: Array<{ op: string; values?: { id: string }; id?: string }>
        }
      ).operations
      expect((p.changeset as { version: number }).version).toBe(1)
      expect(operations.length).toBeGreaterThan(0)
      if (p.status === 'applied') {
        expect(p.applied_at && p.applied_by).toBeTruthy()
        // What an applied proposal inserted is in the data set.
        for (const op of operations) if (op.op === 'insert') expect(every.has(op.values?.id ?? '')).toBe(true)
      }
      if (p.status === 'rejected') expect(p.rejected_at && p.rejected_by).toBeTruthy()
      if (p.status === 'pending') expect([p.applied_at, p.rejected_at]).toEqual([null, null])
      for (const op of operations) if (op.op === 'update') expect(every.has(op.id ?? '')).toBe(true)
    }
    const failed = sessions.find((s) => s.status === 'failed')
    expect(tables.agent_dead_letters.map((d) => d.session_id)).toEqual([failed?.id])
    expect(sessions.filter((s) => s.parent_session_id).length).toBe(3)
  })

  it('keeps Bluebird small and separate', () => {
    const bluebird = (table: DemoTableName) =>
      rowsOf(table).filter((r) => r.organisation_id === BLUEBIRD_ORGANISATION_ID)
    expect(tables.organisations.find((o) => o.id === BLUEBIRD_ORGANISATION_ID)).toMatchObject({
      slug: 'bluebird',
      currency: 'EUR',
    })
    expect(bluebird('people').length).toBe(5)
    expect(bluebird('tasks').length).toBeGreaterThan(4)
    expect(bluebird('allocations').length).toBeGreaterThan(2)
    expect(bluebird('time_entries').length).toBeGreaterThan(50)
    expect(
      bluebird('quotes')
        .map((q) => q.status)
        .sort(),
    ).toEqual(['accepted', 'draft'])
    for (const row of bluebird('projects')) expect(row.currency).toBe('EUR')
  })
})
