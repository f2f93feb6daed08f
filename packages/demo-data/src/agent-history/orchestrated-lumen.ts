// An orchestrated request with three children: plan applied, hard booking rejected, quote applied.

import {
  addProposalEvent,
  appendSteps,
  freeHours,
  insertChangeset,
  money,
  plus,
  project,
  type Scenario,
  type Step,
  slotOf,
} from './history.js'

export function orchestratedLumen({ b, h, ctx, tables, manager }: Scenario): void {
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
        x.role_id === python.role.id && x.active && (b.people.proficiency.get(x.id)?.get('Python') ?? 0) >= 3,
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
