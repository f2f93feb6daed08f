// A few finished agent sessions with their thinking logs and proposals, so the agents console and the
// proposal inbox have something real to show. The shapes follow @psa/agent-pipeline: agent_logs.data is the
// event envelope {session_id, seq, time, agent, type, data}, proposals carry a version-1 changeset whose
// inserts name their own ids (the rows the applied proposals created exist in the data set), and failed
// sessions carry an {code, message} error.

import { describeEvent, type SessionEventBody } from '@psa/agent-pipeline'
import type { BuiltOrganisation } from './build-organisation.js'
import { userWithRole } from './build-organisation.js'
import type { StaffedSlot } from './build-projects.js'
import { addDays, timestamp } from './calendar.js'
import { demoUser } from './constants.js'
import type { OrgContext } from './context.js'
import type {
  AgentLogRow,
  AgentSessionRow,
  AgentType,
  Json,
  PersonRow,
  ProjectRow,
  ProposalRow,
  SessionStatus,
} from './types.js'

type EventBody = SessionEventBody

function plus(iso: string, ms: number): string {
  return new Date(Date.parse(iso) + ms).toISOString()
}

interface Step {
  /** Milliseconds after the session started. */
  at: number
  event: EventBody
  agent?: string
  attempt?: number
}

interface SessionSpec {
  key: string
  user: string
  agentType: AgentType
  request: string
  context: { [key: string]: Json }
  status: SessionStatus
  queuedAt: string
  /** Milliseconds spent queued, then processing. */
  waitMs: number
  durationMs: number
  result?: Json
  error?: { code: string; message: string }
  parent?: AgentSessionRow
  agentsInvolved?: string[]
  attempts?: number
  tokens: [input: number, output: number]
  cancelReason?: string
  steps: Step[]
}

type Operation =
  | { op: 'insert'; table: string; values: { [key: string]: Json } }
  | { op: 'update'; table: string; id: string; expected_version: number; set: { [key: string]: Json } }
  | { op: 'delete'; table: string; id: string; expected_version: number }

/** A changeset inserting rows (without organisation_id, which is the proposal's) and its exact revert. */
function insertChangeset(rows: Array<[table: string, row: object]>): { changeset: Json; revert: Json } {
  const operations: Operation[] = rows.map(([table, row]) => {
    const { organisation_id: _org, ...values } = row as { organisation_id?: string }
    return { op: 'insert', table, values: values as { [key: string]: Json } }
  })
  const revert: Operation[] = rows
    .map(
      ([table, row]): Operation => ({
        op: 'delete',
        table,
        id: (row as { id: string }).id,
        expected_version: 1,
      }),
    )
    .reverse()
  return { changeset: { version: 1, operations }, revert: { version: 1, operations: revert } }
}

class History {
  constructor(readonly ctx: OrgContext) {}

  session(spec: SessionSpec): AgentSessionRow {
    const { ctx } = this
    const id = ctx.id(`agent-session/${spec.key}`)
    const started = plus(spec.queuedAt, spec.waitMs)
    const finished = plus(started, spec.durationMs)
    const done = spec.status !== 'queued' && spec.status !== 'processing'
    const row: AgentSessionRow = {
      id,
      organisation_id: ctx.orgId,
      user_id: spec.user,
      agent_type: spec.agentType,
      request: spec.request,
      context: spec.context,
      status: spec.status,
      result: spec.result ?? null,
      error: spec.error ?? null,
      agents_involved: spec.agentsInvolved ?? [spec.agentType],
      processing_time_ms: done ? spec.durationMs : null,
      parent_session_id: spec.parent?.id ?? null,
      auto_apply: false,
      attempts: spec.attempts ?? 1,
      input_tokens: spec.tokens[0],
      output_tokens: spec.tokens[1],
      trace_id: ctx.id(`trace/${spec.key}`).replaceAll('-', ''),
      queued_at: spec.queuedAt,
      started_at: started,
      completed_at: done ? finished : null,
      cancel_requested_at: spec.cancelReason ? plus(finished, -400) : null,
      cancel_reason: spec.cancelReason ?? null,
      created_at: spec.queuedAt,
    }
    ctx.tables.agent_sessions.push(row)
    const steps: Step[] = [
      {
        at: -spec.waitMs,
        event: {
          type: 'status_changed',
          data: { status: 'queued', message: 'Queued', queue_position: 1, attempt: 0 },
        },
      },
      {
        at: 0,
        event: {
          type: 'status_changed',
          data: { status: 'processing', message: 'Processing', queue_position: 0, attempt: 1 },
        },
      },
      ...spec.steps,
    ]
    if (spec.status === 'completed') {
      steps.push({
        at: spec.durationMs,
        event: {
          type: 'final_result',
          data: {
            result: spec.result ?? null,
            text: (spec.result as { summary?: string } | null)?.summary ?? 'Done.',
            usage: {
              input_tokens: spec.tokens[0],
              output_tokens: spec.tokens[1],
              total_tokens: spec.tokens[0] + spec.tokens[1],
            },
            agents_involved: spec.agentsInvolved ?? [spec.agentType],
            processing_time_ms: spec.durationMs,
          },
        },
      })
    }
    steps.push({
      at: spec.durationMs,
      attempt: spec.attempts ?? 1,
      event: {
        type: 'status_changed',
        data: {
          status: spec.status,
          message: spec.error?.message ?? '',
          queue_position: 0,
          attempt: spec.attempts ?? 1,
        },
      },
    })
    steps.forEach((step, i) => {
      const time = plus(started, step.at)
      const agent = step.agent ?? spec.agentType
      const log: AgentLogRow = {
        id: ctx.id(`agent-log/${id}/${i + 1}`),
        organisation_id: ctx.orgId,
        session_id: id,
        seq: i + 1,
        attempt: step.attempt ?? 1,
        event_type: step.event.type,
        agent_name: agent,
        message: describeEvent(step.event),
        data: { session_id: id, seq: i + 1, time, agent, ...step.event } as Json,
        created_at: time,
      }
      ctx.tables.agent_logs.push(log)
    })
    return row
  }

  proposal(
    session: AgentSessionRow,
    key: string,
    spec: {
      title: string
      summary: string
      changeset: Json
      revert: Json
      status: 'pending' | 'applied' | 'rejected'
      decidedBy?: string
      decidedAfterMs?: number
    },
  ): ProposalRow {
    const created = session.completed_at ?? session.queued_at
    const decided = spec.decidedAfterMs === undefined ? null : plus(created, spec.decidedAfterMs)
    const row: ProposalRow = {
      id: this.ctx.id(`proposal/${key}`),
      organisation_id: this.ctx.orgId,
      session_id: session.id,
      agent_type: session.agent_type,
      idempotency_key: key,
      title: spec.title,
      summary: spec.summary,
      status: spec.status,
      changeset: spec.changeset,
      revert_changeset: spec.status === 'applied' ? spec.revert : null,
      applied_by: spec.status === 'applied' ? (spec.decidedBy ?? null) : null,
      applied_at: spec.status === 'applied' ? decided : null,
      rejected_by: spec.status === 'rejected' ? (spec.decidedBy ?? null) : null,
      rejected_at: spec.status === 'rejected' ? decided : null,
      reverted_by: null,
      reverted_at: null,
      error: null,
      created_at: created,
    }
    this.ctx.tables.proposals.push(row)
    return row
  }
}

/** Free hours a person has in every week of [from, to] (weeks as offsets from the anchor), all bookings counted. */
function freeHours(b: BuiltOrganisation, person: PersonRow, from: number, to: number): number {
  let free = Number.POSITIVE_INFINITY
  for (let w = from; w <= to; w++) {
    const monday = b.ctx.monday(w)
    const friday = b.ctx.friday(w)
    const booked = b.ctx.tables.allocations
      .filter((a) => a.person_id === person.id && a.starts_on <= friday && monday <= a.ends_on)
      .reduce((sum, a) => sum + a.hours_per_week, 0)
    free = Math.min(free, person.weekly_capacity_hours - booked)
  }
  return free
}

function slotOf(b: BuiltOrganisation, code: string, predicate: (s: StaffedSlot) => boolean): StaffedSlot {
  const slot = b.projects.slots.find((s) => s.spec.code === code && predicate(s))
  if (!slot) throw new Error(`no matching slot on ${code}`)
  return slot
}

function project(b: BuiltOrganisation, code: string): ProjectRow {
  const row = b.projects.projects.get(code)
  if (!row) throw new Error(`unknown project ${code}`)
  return row
}

function money(minor: number): string {
  return `$${Math.round(minor / 100).toLocaleString('en-US')}`
}

/** Northwind's agent history: seven requests (one orchestrated with three children), a failure, a cancel. */
export function buildNorthwindAgentHistory(b: BuiltOrganisation): void {
  const { ctx } = b
  const h = new History(ctx)
  const manager = demoUser('manager@northwind.example').id
  const admin = demoUser('admin@northwind.example').id
  const owner = userWithRole(ctx, 'owner')
  const tables = ctx.tables

  // 1. Planning the Care Coordination Portal (proposal applied: the phases, tasks and milestones exist).
  {
    const p = project(b, 'NW-204')
    const phases = b.projects.phases.get('NW-204') ?? []
    const tasks = b.projects.tasks.get('NW-204') ?? []
    const milestones = b.projects.milestones.get('NW-204') ?? []
    const deps = tables.task_dependencies.filter((d) => d.project_id === p.id)
    const session = h.session({
      key: 'plan-nw-204',
      user: manager,
      agentType: 'project_management',
      request: `Plan a 20-week care coordination portal for Cedar Health Partners starting ${p.starts_on}: discovery, release 1 (referrals) with two weeks of acceptance, then release 2.`,
      context: { project_id: p.id, client_id: p.client_id },
      status: 'completed',
      queuedAt: timestamp(addDays(p.starts_on, -4), 14, 2, 11),
      waitMs: 850,
      durationMs: 41_300,
      tokens: [18_420, 3_915],
      result: {
        summary: `Planned ${phases.length} phases, ${tasks.length} tasks, ${deps.length} dependencies and ${milestones.length} milestones; the plan ends on ${p.ends_on}.`,
        project_id: p.id,
        phases: phases.length,
        tasks: tasks.length,
        dependencies: deps.length,
        milestones: milestones.length,
        ends_on: p.ends_on,
      },
      steps: [
        {
          at: 1_200,
          event: {
            type: 'reasoning',
            data: {
              text: 'The request names four stages; release 1 needs an acceptance window before release 2 starts.',
            },
          },
        },
        {
          at: 2_100,
          event: {
            type: 'tool_call_started',
            data: { tool_use_id: 'tool-1', name: 'get_project', input: { project_id: p.id } },
          },
        },
        {
          at: 2_400,
          event: {
            type: 'tool_call_finished',
            data: {
              tool_use_id: 'tool-1',
              name: 'get_project',
              ok: true,
              summary: `${p.name}, fixed fee, starts ${p.starts_on}`,
              output: { code: p.code },
              duration_ms: 300,
            },
          },
        },
        {
          at: 9_800,
          event: {
            type: 'tool_call_started',
            data: {
              tool_use_id: 'tool-2',
              name: 'schedule_plan',
              input: { phases: phases.map((x) => x.name) },
            },
          },
        },
        {
          at: 10_350,
          event: {
            type: 'tool_call_finished',
            data: {
              tool_use_id: 'tool-2',
              name: 'schedule_plan',
              ok: true,
              summary: `${tasks.length} tasks scheduled, ends ${p.ends_on}`,
              output: { tasks: tasks.length },
              duration_ms: 550,
            },
          },
        },
      ],
    })
    const { changeset, revert } = insertChangeset([
      ...phases.map((r): [string, object] => ['phases', r]),
      ...tasks.map((r): [string, object] => ['tasks', r]),
      ...deps.map((r): [string, object] => ['task_dependencies', r]),
      ...milestones.map((r): [string, object] => ['milestones', r]),
    ])
    const proposal = h.proposal(session, 'plan-nw-204', {
      title: `Plan for ${p.name}`,
      summary: `${phases.length} phases, ${tasks.length} tasks, ${deps.length} dependencies, ${milestones.length} milestones.`,
      changeset,
      revert,
      status: 'applied',
      decidedBy: manager,
      decidedAfterMs: 1_800_000,
    })
    addProposalEvent(h, session, proposal, 40_900)
  }

  // 2. The React shortage: nobody qualified is free, so the agent proposes the best stretch candidate (pending).
  {
    const request = slotOf(b, 'NW-201', (s) => s.slot.skill === 'React' && !s.allocation)
    const p = project(b, 'NW-201')
    const experts = [...b.people.people.values()].filter(
      (x) => (b.people.proficiency.get(x.id)?.get('React') ?? 0) >= 4,
    )
    const fromWeek = Math.max(request.fromWeek, 0)
    // Cover the next four weeks while the firm hires; the request itself stays open.
    const toWeek = Math.min(request.toWeek, fromWeek + 3)
    const react = (x: PersonRow) => b.people.proficiency.get(x.id)?.get('React') ?? 0
    const candidates = [...b.people.people.values()]
      .filter((x) => x.active && react(x) >= 2 && react(x) < 4)
      .map((x) => ({ person: x, react: react(x), free: freeHours(b, x, fromWeek, toWeek) }))
      .filter((c) => c.free >= 16)
      .sort(
        (x, y) =>
          y.react - x.react || y.free - x.free || x.person.full_name.localeCompare(y.person.full_name),
      )
    const best = candidates[0]
    if (!best) throw new Error('no stretch candidate for the React request')
    const hours = Math.min(Math.floor(best.free / 8) * 8, request.slot.hours)
    const allocationId = ctx.id('proposed-allocation/react-stretch')
    const session = h.session({
      key: 'staff-react-nw-201',
      user: admin,
      agentType: 'resourcing',
      request: `Who can staff the senior React developer request on the ${p.name} from this week without pushing anyone past their utilisation target?`,
      context: { resource_request_id: request.request?.id ?? null, project_id: p.id },
      status: 'completed',
      queuedAt: timestamp(ctx.day(-3), 15, 10, 4),
      waitMs: 1_200,
      durationMs: 27_600,
      tokens: [22_310, 2_870],
      result: {
        summary: `No one with React at 4 or above is free: ${experts.map((x) => x.full_name).join(' and ')} are fully booked. Best stretch candidate: ${best.person.full_name} (React ${best.react}), ${best.free}h/week free.`,
        qualified: experts.map((x) => ({
          person_id: x.id,
          name: x.full_name,
          free_hours_per_week: Math.max(0, freeHours(b, x, fromWeek, toWeek)),
        })),
        candidates: candidates.slice(0, 3).map((c) => ({
          person_id: c.person.id,
          name: c.person.full_name,
          react: c.react,
          free_hours_per_week: c.free,
        })),
        shortage: { skill: 'React', min_proficiency: 4, qualified_people: experts.length },
      },
      steps: [
        {
          at: 900,
          event: {
            type: 'tool_call_started',
            data: {
              tool_use_id: 'tool-1',
              name: 'find_candidates',
              input: { skill: 'React', min_proficiency: 4, hours_per_week: request.slot.hours },
            },
          },
        },
        {
          at: 1_400,
          event: {
            type: 'tool_call_finished',
            data: {
              tool_use_id: 'tool-1',
              name: 'find_candidates',
              ok: true,
              summary: `${experts.length} qualified, none available`,
              output: { qualified: experts.length, available: 0 },
              duration_ms: 500,
            },
          },
        },
        {
          at: 6_000,
          event: {
            type: 'reasoning',
            data: {
              text: 'Relaxing the proficiency and pairing with the lead developer keeps everyone within capacity.',
            },
          },
        },
        {
          at: 6_500,
          event: {
            type: 'tool_call_started',
            data: {
              tool_use_id: 'tool-2',
              name: 'find_candidates',
              input: { skill: 'React', min_proficiency: 2, hours_per_week: hours },
            },
          },
        },
        {
          at: 7_300,
          event: {
            type: 'tool_call_finished',
            data: {
              tool_use_id: 'tool-2',
              name: 'find_candidates',
              ok: true,
              summary: `${candidates.length} candidates with free capacity`,
              output: { candidates: candidates.length },
              duration_ms: 800,
            },
          },
        },
      ],
    })
    const proposal = h.proposal(session, 'staff-react-nw-201', {
      title: `Soft-book ${best.person.full_name} on the ${p.name}`,
      summary: `${hours}h/week from ${ctx.monday(fromWeek)} to ${ctx.friday(toWeek)}, pairing with Marcus Chen; the request stays open for a React 4+ hire.`,
      changeset: {
        version: 1,
        operations: [
          {
            op: 'insert',
            table: 'allocations',
            values: {
              id: allocationId,
              project_id: p.id,
              person_id: best.person.id,
              resource_request_id: request.request?.id ?? null,
              kind: 'soft',
              starts_on: ctx.monday(fromWeek),
              ends_on: ctx.friday(toWeek),
              hours_per_week: hours,
            },
          },
        ],
      },
      revert: null,
      status: 'pending',
    })
    addProposalEvent(h, session, proposal, 27_100)
  }

  // 3. Quoting the Wealth Dashboard (applied: the quote's first version is the one the agent drafted).
  const wealth = b.quotes.quotes.get('blue-harbor-wealth')
  const wealthVersions = b.quotes.versions.get('blue-harbor-wealth') ?? []
  if (wealth && wealthVersions[0]) {
    const v1 = wealthVersions[0]
    const lines = tables.quote_lines.filter((l) => l.quote_version_id === v1.id)
    const session = h.session({
      key: 'quote-wealth',
      user: admin,
      agentType: 'quotes',
      request:
        'Quote the Wealth Dashboard for Blue Harbor Bank from the tentative project plan: client rate card, 10% contingency, 5% discount, 30% target margin.',
      context: { client_id: wealth.client_id },
      status: 'completed',
      queuedAt: plus(wealth.created_at, -25 * 60_000),
      waitMs: 700,
      durationMs: 19_800,
      tokens: [12_040, 2_230],
      result: {
        summary: `Quote v1: price ${money(v1.price_minor)}, cost ${money(v1.cost_minor)}, margin ${v1.margin_pct}%, P80 ${money(v1.p80_price_minor)}.`,
        quote_id: wealth.id,
        version: 1,
        price_minor: v1.price_minor,
        cost_minor: v1.cost_minor,
        margin_pct: v1.margin_pct,
        p50_price_minor: v1.p50_price_minor,
        p80_price_minor: v1.p80_price_minor,
      },
      steps: [
        {
          at: 800,
          event: {
            type: 'tool_call_started',
            data: { tool_use_id: 'tool-1', name: 'get_rate_card', input: { client_id: wealth.client_id } },
          },
        },
        {
          at: 1_100,
          event: {
            type: 'tool_call_finished',
            data: {
              tool_use_id: 'tool-1',
              name: 'get_rate_card',
              ok: true,
              summary: 'Blue Harbor Bank master services agreement',
              output: { rate_card_id: v1.rate_card_id },
              duration_ms: 300,
            },
          },
        },
        {
          at: 5_200,
          event: {
            type: 'tool_call_started',
            data: {
              tool_use_id: 'tool-2',
              name: 'price_quote',
              input: {
                lines: lines.length,
                contingency_pct: v1.contingency_pct,
                discount_pct: v1.discount_pct,
              },
            },
          },
        },
        {
          at: 5_450,
          event: {
            type: 'tool_call_finished',
            data: {
              tool_use_id: 'tool-2',
              name: 'price_quote',
              ok: true,
              summary: `price ${money(v1.price_minor)}, margin ${v1.margin_pct}%`,
              output: { price_minor: v1.price_minor },
              duration_ms: 250,
            },
          },
        },
      ],
    })
    const { changeset, revert } = insertChangeset([
      ['quotes', { ...wealth, status: 'draft', current_version: 1, approved_by: null, approved_at: null }],
      ['quote_versions', v1],
      ...lines.map((l): [string, object] => ['quote_lines', l]),
    ])
    const proposal = h.proposal(session, 'quote-wealth', {
      title: 'Quote: Wealth Dashboard',
      summary: `Draft quote v1 at ${money(v1.price_minor)} (${v1.margin_pct}% margin).`,
      changeset,
      revert,
      status: 'applied',
      decidedBy: admin,
      decidedAfterMs: 240_000,
    })
    addProposalEvent(h, session, proposal, 19_300)
  }

  // 4. An orchestrated request with three children: plan applied, hard booking rejected, quote applied.
  {
    const p = project(b, 'NW-301')
    const quote = b.quotes.quotes.get('lumen-recommendations')
    const v1 = (b.quotes.versions.get('lumen-recommendations') ?? [])[0]
    if (!quote || !v1) throw new Error('the Lumen quote is missing')
    const queuedAt = plus(quote.created_at, -40 * 60_000)
    const involved = ['orchestrator', 'project_management', 'resourcing', 'quotes']
    const parent = h.session({
      key: 'orchestrate-nw-301',
      user: manager,
      agentType: 'orchestrator',
      request: `Set up, staff and quote the Lumen content recommendation engine: 16 weeks from ${p.starts_on}, time and materials.`,
      context: { client_id: p.client_id, project_id: p.id },
      status: 'completed',
      queuedAt,
      waitMs: 600,
      durationMs: 265_000,
      tokens: [9_870, 1_940],
      agentsInvolved: involved,
      result: {
        summary: 'Plan, staffing proposal and quote prepared by the specialists.',
        project_id: p.id,
        quote_id: quote.id,
      },
      steps: [],
    })
    const phases = b.projects.phases.get('NW-301') ?? []
    const tasks = b.projects.tasks.get('NW-301') ?? []
    const milestones = b.projects.milestones.get('NW-301') ?? []
    const plan = h.session({
      key: 'orchestrate-nw-301/plan',
      user: manager,
      agentType: 'project_management',
      request: `Plan the Content Recommendation Engine (${p.code}) for 16 weeks from ${p.starts_on}.`,
      context: { project_id: p.id },
      status: 'completed',
      queuedAt: plus(queuedAt, 5_000),
      waitMs: 400,
      durationMs: 62_000,
      tokens: [15_220, 3_310],
      parent,
      result: { summary: `Planned ${phases.length} phases and ${tasks.length} tasks.`, project_id: p.id },
      steps: [
        {
          at: 1_000,
          event: {
            type: 'reasoning',
            data: { text: 'Discovery first: the model approach decides the build.' },
          },
        },
      ],
    })
    const planChanges = insertChangeset([
      ...phases.map((r): [string, object] => ['phases', r]),
      ...tasks.map((r): [string, object] => ['tasks', r]),
      ...milestones.map((r): [string, object] => ['milestones', r]),
    ])
    addProposalEvent(
      h,
      plan,
      h.proposal(plan, 'orchestrate-nw-301/plan', {
        title: `Plan for ${p.name}`,
        summary: `${phases.length} phases, ${tasks.length} tasks, ${milestones.length} milestones.`,
        changeset: planChanges.changeset,
        revert: planChanges.revert,
        status: 'applied',
        decidedBy: manager,
        decidedAfterMs: 1_500_000,
      }),
      61_000,
    )

    const python = slotOf(b, 'NW-301', (s) => s.slot.role === 'senior-dev')
    const pick = [...b.people.people.values()]
      .filter(
        (x) =>
          x.role_id === python.role.id &&
          x.active &&
          (b.people.proficiency.get(x.id)?.get('Python') ?? 0) >= 3,
      )
      .map((x) => ({ person: x, free: freeHours(b, x, python.fromWeek, python.toWeek) }))
      .sort((x, y) => y.free - x.free || x.person.full_name.localeCompare(y.person.full_name))[0]
    if (!pick) throw new Error('no Python developer for the orchestrated staffing proposal')
    const staff = h.session({
      key: 'orchestrate-nw-301/staff',
      user: manager,
      agentType: 'resourcing',
      request: `Staff the open requests of ${p.code}.`,
      context: { project_id: p.id },
      status: 'completed',
      queuedAt: plus(queuedAt, 70_000),
      waitMs: 300,
      durationMs: 48_000,
      tokens: [19_050, 2_480],
      parent,
      result: {
        summary: `Proposed ${pick.person.full_name} for the senior developer request.`,
        person_id: pick.person.id,
      },
      steps: [],
    })
    addProposalEvent(
      h,
      staff,
      h.proposal(staff, 'orchestrate-nw-301/staff', {
        title: `Book ${pick.person.full_name} on ${p.name}`,
        summary: `Hard booking of ${python.slot.hours}h/week from ${ctx.monday(python.fromWeek)}. Rejected: the deal is not won yet, only soft bookings until then.`,
        changeset: {
          version: 1,
          operations: [
            {
              op: 'insert',
              table: 'allocations',
              values: {
                id: ctx.id('proposed-allocation/nw-301-python'),
                project_id: p.id,
                person_id: pick.person.id,
                resource_request_id: python.request?.id ?? null,
                kind: 'hard',
                starts_on: ctx.monday(python.fromWeek),
                ends_on: ctx.friday(python.toWeek),
                hours_per_week: python.slot.hours,
              },
            },
          ],
        },
        revert: null,
        status: 'rejected',
        decidedBy: manager,
        decidedAfterMs: 1_600_000,
      }),
      47_500,
    )

    const lines = tables.quote_lines.filter((l) => l.quote_version_id === v1.id)
    const price = h.session({
      key: 'orchestrate-nw-301/quote',
      user: manager,
      agentType: 'quotes',
      request: `Quote ${p.name} from its plan at the standard rate card.`,
      context: { project_id: p.id, client_id: p.client_id },
      status: 'completed',
      queuedAt: plus(queuedAt, 120_000),
      waitMs: 500,
      durationMs: 31_000,
      tokens: [11_900, 2_050],
      parent,
      result: {
        summary: `Quote v1 at ${money(v1.price_minor)}, margin ${v1.margin_pct}%.`,
        quote_id: quote.id,
        price_minor: v1.price_minor,
      },
      steps: [],
    })
    const quoteChanges = insertChangeset([
      ['quotes', { ...quote, status: 'draft', current_version: 1, approved_by: null, approved_at: null }],
      ['quote_versions', v1],
      ...lines.map((l): [string, object] => ['quote_lines', l]),
    ])
    addProposalEvent(
      h,
      price,
      h.proposal(price, 'orchestrate-nw-301/quote', {
        title: `Quote: ${quote.title}`,
        summary: `Draft quote v1 at ${money(v1.price_minor)}.`,
        changeset: quoteChanges.changeset,
        revert: quoteChanges.revert,
        status: 'applied',
        decidedBy: manager,
        decidedAfterMs: 1_200_000,
      }),
      30_500,
    )
    // The parent's log: delegations as they happened.
    const children = [plan, staff, price]
    const parentLogs = children.map(
      (child, i): Step => ({
        at: 4_000 + i * 60_000,
        event: {
          type: 'child_session',
          data: { child_session_id: child.id, agent_type: child.agent_type, status: 'completed' },
        },
      }),
    )
    appendSteps(h, parent, parentLogs)
  }

  // 5. A request that timed out on every delivery and was dead-lettered.
  {
    const queuedAt = timestamp(ctx.day(-4), 11, 0, 3)
    const request =
      "Rebalance next month's allocations for the London team so nobody is above 90% utilisation."
    const error = {
      code: 'DEAD_LETTERED',
      message: 'The request could not be processed after 3 attempts: agent timed out after 300 s',
    }
    const session = h.session({
      key: 'rebalance-london',
      user: manager,
      agentType: 'resourcing',
      request,
      context: { location: 'London' },
      status: 'failed',
      queuedAt,
      waitMs: 900,
      durationMs: 905_000,
      attempts: 3,
      tokens: [61_400, 1_210],
      error,
      steps: [1, 2, 3].flatMap((attempt): Step[] => [
        ...(attempt > 1
          ? [
              {
                at: (attempt - 1) * 301_000 + 500,
                attempt,
                event: {
                  type: 'status_changed',
                  data: {
                    status: 'processing',
                    message: `Retrying (attempt ${attempt})`,
                    queue_position: 0,
                    attempt,
                  },
                },
              } satisfies Step,
            ]
          : []),
        {
          at: (attempt - 1) * 301_000 + 1_000,
          attempt,
          event: {
            type: 'reasoning',
            data: { text: 'Loading every London allocation for the next five weeks.' },
          },
        },
        {
          at: (attempt - 1) * 301_000 + 300_000,
          attempt,
          event: {
            type: 'error',
            data: { code: 'TIMEOUT', message: 'agent timed out after 300 s', retryable: attempt < 3 },
          },
        },
      ]),
    })
    tables.agent_dead_letters.push({
      id: ctx.id('agent-dead-letter/rebalance-london'),
      organisation_id: ctx.orgId,
      session_id: session.id,
      agent_type: 'resourcing',
      payload: {
        v: 1,
        session_id: session.id,
        organisation_id: ctx.orgId,
        user_id: manager,
        user_email: 'manager@northwind.example',
        agent_type: 'resourcing',
        request,
        context: { location: 'London' },
        auto_apply: false,
        parent_session_id: null,
        submitted_at: queuedAt,
      },
      reason: 'agent timed out after 300 s',
      deliveries: 3,
      created_at: session.completed_at ?? queuedAt,
    })
  }

  // 6. The planted budget overrun, noticed by the project agent (a pending re-plan).
  {
    const p = project(b, 'NW-202')
    const phases = b.projects.phases.get('NW-202') ?? []
    const last = phases[phases.length - 1]
    const costRates = new Map(tables.people.map((x) => [x.id, x.cost_rate_minor]))
    const cost = tables.time_entries
      .filter((t) => t.project_id === p.id)
      .reduce((sum, t) => sum + Math.round(t.hours * (costRates.get(t.person_id) ?? 0)), 0)
    const burn = Math.round((cost / (p.budget_minor || 1)) * 1000) / 10
    const session = h.session({
      key: 'status-nw-202',
      user: manager,
      agentType: 'project_management',
      request: 'How is the Blue Harbor mobile onboarding doing?',
      context: { project_id: p.id },
      status: 'completed',
      queuedAt: timestamp(ctx.day(-3), 16, 40, 12),
      waitMs: 500,
      durationMs: 22_400,
      tokens: [14_800, 1_760],
      result: {
        summary: `${p.name} has burned ${burn}% of its ${money(p.budget_minor)} fixed fee with release 2 still running; health red. Recommend re-planning release 2 hardening by two weeks and a change request.`,
        project_id: p.id,
        cost_to_date_minor: cost,
        budget_minor: p.budget_minor,
        burn_pct: burn,
        health: 'red',
      },
      steps: [
        {
          at: 700,
          event: {
            type: 'tool_call_started',
            data: { tool_use_id: 'tool-1', name: 'project_burn', input: { project_id: p.id } },
          },
        },
        {
          at: 1_300,
          event: {
            type: 'tool_call_finished',
            data: {
              tool_use_id: 'tool-1',
              name: 'project_burn',
              ok: true,
              summary: `${burn}% of budget burned`,
              output: { burn_pct: burn },
              duration_ms: 600,
            },
          },
        },
        {
          at: 8_000,
          event: {
            type: 'reasoning',
            data: {
              text: 'Burn is far ahead of progress; a fixed fee means every extra hour is margin lost.',
            },
          },
        },
      ],
    })
    if (!last) throw new Error('NW-202 has no phases')
    const newEnd = addDays(p.ends_on, 14)
    addProposalEvent(
      h,
      session,
      h.proposal(session, 'status-nw-202', {
        title: 'Re-plan Release 2 hardening (+2 weeks)',
        summary: `Move the end of ${last.name} and of the project from ${p.ends_on} to ${newEnd}.`,
        changeset: {
          version: 1,
          operations: [
            {
              op: 'update',
              table: 'phases',
              id: last.id,
              expected_version: 1,
              set: { ends_on: addDays(last.ends_on, 14) },
            },
            { op: 'update', table: 'projects', id: p.id, expected_version: 1, set: { ends_on: newEnd } },
          ],
        },
        revert: null,
        status: 'pending',
      }),
      21_900,
    )
  }

  // 7. A question without changes: which milestones are late?
  {
    const late = tables.milestones.filter(
      (m) => m.organisation_id === ctx.orgId && m.completed_on === null && m.due_on < ctx.anchor,
    )
    h.session({
      key: 'late-milestones',
      user: owner,
      agentType: 'project_management',
      request: 'Which milestones are late across all projects?',
      context: {},
      status: 'completed',
      queuedAt: timestamp(ctx.day(-3), 9, 15, 40),
      waitMs: 400,
      durationMs: 9_800,
      tokens: [7_600, 640],
      result: {
        summary: `${late.length} late milestone${late.length === 1 ? '' : 's'}: ${late.map((m) => `${m.name} (due ${m.due_on})`).join(', ')}.`,
        late_milestones: late.map((m) => ({
          milestone_id: m.id,
          project_id: m.project_id,
          name: m.name,
          due_on: m.due_on,
        })),
      },
      steps: [
        {
          at: 600,
          event: {
            type: 'tool_call_started',
            data: { tool_use_id: 'tool-1', name: 'late_milestones', input: {} },
          },
        },
        {
          at: 900,
          event: {
            type: 'tool_call_finished',
            data: {
              tool_use_id: 'tool-1',
              name: 'late_milestones',
              ok: true,
              summary: `${late.length} found`,
              output: { count: late.length },
              duration_ms: 300,
            },
          },
        },
      ],
    })
  }

  // 8. Cancelled by the user while it ran.
  h.session({
    key: 'cancelled-quote',
    user: admin,
    agentType: 'quotes',
    request: 'Quote a six-month data platform retainer for Nova Biotech.',
    context: {},
    status: 'cancelled',
    queuedAt: timestamp(ctx.day(-5), 13, 30, 0),
    waitMs: 1_100,
    durationMs: 3_400,
    tokens: [2_100, 90],
    error: { code: 'CANCELLED', message: 'Cancelled by user' },
    cancelReason: 'Cancelled by user',
    steps: [],
  })
}

function addProposalEvent(h: History, session: AgentSessionRow, proposal: ProposalRow, at: number): void {
  const operations = (proposal.changeset as { operations?: unknown[] }).operations ?? []
  appendSteps(h, session, [
    {
      at,
      event: {
        type: 'proposal_created',
        data: {
          proposal_id: proposal.id,
          title: proposal.title,
          summary: proposal.summary,
          change_count: operations.length,
          auto_applied: false,
        },
      },
    },
  ])
}

/** Inserts steps into an already written session log, keeping the sequence in time order. */
function appendSteps(h: History, session: AgentSessionRow, steps: Step[]): void {
  const { ctx } = h
  const logs = ctx.tables.agent_logs.filter((l) => l.session_id === session.id)
  const started = session.started_at ?? session.queued_at
  const added = steps.map((step) => {
    const time = plus(started, step.at)
    const agent = step.agent ?? session.agent_type
    return { time, agent, event: step.event, attempt: step.attempt ?? session.attempts }
  })
  const merged = [
    ...logs.map((l) => ({
      time: l.created_at,
      row: l as AgentLogRow | null,
      add: null as (typeof added)[number] | null,
    })),
    ...added.map((a) => ({ time: a.time, row: null, add: a })),
  ]
  // Stable: the final status event stays last among events at the same instant.
  merged.sort((x, y) =>
    x.time < y.time ? -1 : x.time > y.time ? 1 : x.add && !y.add ? -1 : !x.add && y.add ? 1 : 0,
  )
  ctx.tables.agent_logs = ctx.tables.agent_logs.filter((l) => l.session_id !== session.id)
  merged.forEach((m, i) => {
    const seq = i + 1
    if (m.row) {
      const data = { ...(m.row.data as { [key: string]: Json }), seq }
      ctx.tables.agent_logs.push({ ...m.row, id: ctx.id(`agent-log/${session.id}/${seq}`), seq, data })
    } else if (m.add) {
      ctx.tables.agent_logs.push({
        id: ctx.id(`agent-log/${session.id}/${seq}`),
        organisation_id: ctx.orgId,
        session_id: session.id,
        seq,
        attempt: m.add.attempt,
        event_type: m.add.event.type,
        agent_name: m.add.agent,
        message: describeEvent(m.add.event),
        data: { session_id: session.id, seq, time: m.time, agent: m.add.agent, ...m.add.event } as Json,
        created_at: m.time,
      })
    }
  })
}
