import {
  callTools,
  finish,
  formatMoney,
  hasTool,
  INTENT_AGENT,
  type Intent,
  type Playbook,
  type PlaybookDecision,
  type PlaybookInput,
  type ToolCallRecord,
} from '@psa/agent-models'
import { type ChildOutcome, childOutcomeSchema, SPECIALIST_LABELS, type Specialist } from './child-outcome.js'
import { DELEGATE_TOOL, type DelegateInput } from './delegate-tool.js'
import {
  formatHours,
  planningRequest,
  type QuoteRequest,
  quoteModifiers,
  quoteRequest,
  type StaffingRequest,
  staffingRequest,
  type Work,
} from './requests.js'

type Phase = 'plan' | 'staff' | 'quote'

/** Fixed step numbers: a restarted request delegates each phase under the same step, so it re-attaches. */
const STEP: Record<Phase, number> = { plan: 1, staff: 2, quote: 3 }
const PHASE_LABEL: Record<Phase, string> = { plan: 'Plan', staff: 'Staffing', quote: 'Quote' }
const PHASE_OF: Partial<Record<Intent, Phase>> = {
  plan: 'plan',
  find_candidates: 'staff',
  staff: 'staff',
  quote: 'quote',
}

const EXAMPLES =
  'For example "Set up, staff and quote a 12-week website rebuild for Acme starting 5 Jan, budget $150k, at 30% margin", or a single planning, staffing or quoting request such as "Plan a 12-week website rebuild for Acme starting 5 Jan".'

type JsonValue = NonNullable<NonNullable<Parameters<typeof finish>[1]>['result']>

/** Results here are built from JSON (tool outputs, the understanding), so they are JSON. */
function json(value: object): JsonValue {
  return value as unknown as JsonValue
}

type Step = { kind: 'pending' } | { kind: 'error'; message: string } | { kind: 'done'; outcome: ChildOutcome }

/** What the delegation of `step` returned, if it was made. */
function stepResult(input: PlaybookInput, step: number): Step {
  let call: ToolCallRecord | undefined
  for (const s of input.steps) {
    for (const c of s.calls) {
      const callStep = (c.input as Partial<DelegateInput> | null)?.step
      if (c.name === DELEGATE_TOOL && callStep === step) call = c
    }
  }
  if (!call) return { kind: 'pending' }
  if (call.status !== 'success') return { kind: 'error', message: call.text || 'the delegation failed' }
  const parsed = childOutcomeSchema.safeParse(call.output)
  if (!parsed.success) return { kind: 'error', message: 'the delegation returned an unreadable outcome' }
  return { kind: 'done', outcome: parsed.data }
}

function delegate(
  reasoning: string,
  step: number,
  agentType: Specialist,
  request: string,
  context?: Record<string, string>,
): PlaybookDecision {
  return callTools(reasoning, {
    name: DELEGATE_TOOL,
    input: { agent_type: agentType, request, step, ...(context && { context }) },
  })
}

function quoted(titles: readonly { title: string }[]): string {
  return titles.map((p) => `"${p.title}"`).join(', ')
}

function stepSummary(outcome: ChildOutcome) {
  return {
    step: outcome.step,
    agent_type: outcome.agent_type,
    child_session_id: outcome.child_session_id,
    status: outcome.status,
    proposals: outcome.proposals.map((p) => ({ proposal_id: p.proposal_id, title: p.title })),
    ...(outcome.error && { error: outcome.error }),
  }
}

function agentsInvolved(outcomes: readonly ChildOutcome[]): string[] {
  return ['orchestrator', ...new Set(outcomes.map((o) => o.agent_type))]
}

/** One paragraph per finished step: who did it, what it proposed, and its own answer. */
function describeStep(phase: Phase, outcome: ChildOutcome): string {
  const label = SPECIALIST_LABELS[outcome.agent_type]
  const proposals =
    outcome.proposals.length > 0
      ? ` Proposal${outcome.proposals.length > 1 ? 's' : ''}: ${quoted(outcome.proposals)}.`
      : ''
  return `${STEP[phase]}. ${PHASE_LABEL[phase]}, by the ${label} agent (${outcome.status}).${proposals}\n${outcome.text.trim()}`
}

function failureOf(outcome: ChildOutcome): string {
  const label = SPECIALIST_LABELS[outcome.agent_type]
  if (outcome.status === 'cancelled')
    return `the ${label} agent's session was cancelled${outcome.error ? ` (${outcome.error.message})` : ''}`
  return `the ${label} agent failed: ${outcome.error?.message ?? 'no reason given'}`
}

/** "Plan a 12-week website rebuild for Acme" alone: one specialist does it all; the answer is its answer. */
function single(input: PlaybookInput, agentType: Specialist): PlaybookDecision {
  const label = SPECIALIST_LABELS[agentType]
  const result = stepResult(input, 1)
  if (result.kind === 'pending') {
    return delegate(
      `This is a ${label} request, so I am handing it to the ${label} agent.`,
      1,
      agentType,
      input.request,
    )
  }
  if (result.kind === 'error') {
    return finish(
      `I could not hand the request to the ${label} agent: ${result.message}. I made no changes.`,
      {
        result: { delegated: false, agent_type: agentType, agents_involved: ['orchestrator'] },
      },
    )
  }
  const outcome = result.outcome
  const summary = {
    steps: [stepSummary(outcome)],
    agents_involved: agentsInvolved([outcome]),
    child_result: outcome.result,
  }
  if (outcome.status !== 'completed') {
    return finish(`I handed the request to the ${label} agent, but ${failureOf(outcome)}.`, {
      result: json(summary),
    })
  }
  const proposals = outcome.proposals.length > 0 ? `\n\nProposals: ${quoted(outcome.proposals)}.` : ''
  return finish(`The ${label} agent answered:\n\n${outcome.text.trim()}${proposals}`, {
    result: json(summary),
  })
}

interface Client {
  id: string
  name: string
}

/** The client named in the request, or selected in the context; a question when the name is ambiguous. */
function clientOf(input: PlaybookInput): Client | { ambiguous: string[] } | null {
  const named = input.understanding.summary.client
  if (named) {
    if (named.alternatives.length > 0)
      return { ambiguous: [named.name, ...named.alternatives.map((a) => a.name)] }
    if (named.id) return { id: named.id, name: named.name }
  }
  const id = input.context.clientId
  const known = id ? input.context.clients?.find((c) => c.id === id) : undefined
  return id && known ? { id, name: known.name } : null
}

function listWords(items: readonly string[], last = 'and'): string {
  if (items.length <= 1) return items.join('')
  return `${items.slice(0, -1).join(', ')} ${last} ${items.at(-1)}`
}

/** Work named in the request itself ("Staff and quote 200h senior dev + 80h design for Acme from …"). */
function workFromRequest(input: PlaybookInput): Work {
  const u = input.understanding
  const from = u.summary.period?.from ?? u.summary.startDate
  const to = u.summary.period?.to ?? u.summary.endDate
  const roles = new Map<string, number | null>()
  for (const line of u.hours) {
    const role = line.role?.knownRole
    if (role && line.per === null) roles.set(role, (roles.get(role) ?? 0) + line.hours)
  }
  for (const mention of u.roles) {
    if (mention.knownRole && !roles.has(mention.knownRole)) roles.set(mention.knownRole, null)
  }
  return {
    roles: [...roles.entries()].map(([role, hours]) => ({ role, hours, starts_on: null, ends_on: null })),
    starts_on: from ?? null,
    ends_on: to ?? null,
  }
}

/**
 * "Set up, staff and quote the Acme rebuild": plan with the project agent, then ask the resourcing agent who
 * can staff the plan's main roles over their dates, then have the quotes agent price the plan's hours per
 * role for the client. Each step starts from what the previous one returned; a step that fails or cannot
 * be taken stops the chain with an explanation.
 */
function broad(input: PlaybookInput, phases: readonly Phase[]): PlaybookDecision {
  const u = input.understanding
  const total = phases.length
  const stepNo = (phase: Phase) => phases.indexOf(phase) + 1
  const client = clientOf(input)
  if (client && 'ambiguous' in client) {
    return finish(
      `Which client do you mean: ${listWords(client.ambiguous, 'or')}? I have not delegated anything yet.`,
      { result: { delegated: false, missing: ['client'], agents_involved: ['orchestrator'] } },
    )
  }
  const missing: string[] = []
  if (phases.includes('plan')) {
    if (!client) missing.push('which client it is for')
    const hasLength = u.summary.duration !== null || Boolean(u.summary.endDate ?? u.summary.period?.to)
    if (!hasLength) missing.push('how long it should take (e.g. "12 weeks") or an end date')
  } else {
    const work = workFromRequest(input)
    if (phases.includes('quote') && !work.roles.some((r) => r.hours !== null))
      missing.push('the hours per role (e.g. "200h senior developer + 80h designer")')
    if (phases.includes('staff') && work.roles.length === 0) missing.push('which roles to staff')
    if (phases.includes('staff') && (!work.starts_on || !work.ends_on))
      missing.push('when the people are needed (a start and end date)')
  }
  const goal = `${listWords(phases.map((p) => ({ plan: 'set up', staff: 'staff', quote: 'quote' })[p]))} this`
  if (missing.length > 0) {
    return finish(
      `To ${goal} I need to know ${listWords(missing)}. I have not delegated anything yet, and nothing was changed.`,
      { result: { delegated: false, missing, agents_involved: ['orchestrator'] } },
    )
  }

  const done: { phase: Phase; outcome: ChildOutcome }[] = []
  const notes: string[] = []
  const result = (extra: Record<string, unknown> = {}) => ({
    intent: 'setup_staff_quote',
    ...(client && { client }),
    steps: done.map((d) => stepSummary(d.outcome)),
    agents_involved: agentsInvolved(done.map((d) => d.outcome)),
    ...extra,
  })
  const stopHere = (phase: Phase, why: string, extra: Record<string, unknown> = {}): PlaybookDecision => {
    const doneText =
      done.length > 0
        ? `\n\nDone before that:\n\n${done.map((d) => describeStep(d.phase, d.outcome)).join('\n\n')}`
        : ''
    const left = phases.slice(phases.indexOf(phase) + 1).map((p) => PHASE_LABEL[p].toLowerCase())
    return finish(
      `I stopped at step ${stepNo(phase)} of ${total} (${PHASE_LABEL[phase].toLowerCase()}): ${why}.${left.length > 0 ? ` I did not go on to the ${listWords(left)}.` : ''}${doneText}`,
      { result: json(result({ stopped_at: phase, ...extra })) },
    )
  }
  const check = (phase: Phase): Step => {
    const step = stepResult(input, STEP[phase])
    if (step.kind === 'done') done.push({ phase, outcome: step.outcome })
    return step
  }

  let work: Work | null = null
  let planName = u.subject?.text ?? 'the project'
  const clientContext = client ? { client_id: client.id } : undefined
  if (phases.includes('plan')) {
    const clientName = (client as Client).name
    const step = check('plan')
    if (step.kind === 'pending') {
      return delegate(
        `Step ${stepNo('plan')} of ${total}: the project management agent plans the ${planName} for ${clientName}; staffing and pricing start from its plan.`,
        STEP.plan,
        'project_management',
        planningRequest(u, clientName),
        clientContext,
      )
    }
    if (step.kind === 'error') return stopHere('plan', `I could not delegate the plan (${step.message})`)
    const outcome = step.outcome
    if (outcome.status !== 'completed') return stopHere('plan', failureOf(outcome))
    const planned = outcome.planned_work
    if (!planned) {
      return stopHere(
        'plan',
        `the project management agent did not propose a plan. It said: ${outcome.text.trim() || 'nothing'}`,
      )
    }
    planName = planned.project?.name ?? planName
    work = { roles: planned.roles, starts_on: planned.starts_on, ends_on: planned.ends_on }
    if (planned.unassigned_hours > 0)
      notes.push(
        `${formatHours(planned.unassigned_hours)} h of the plan name no role, so nobody was staffed or priced for them.`,
      )
  } else {
    work = workFromRequest(input)
  }

  let staffing: StaffingRequest | null = null
  if (phases.includes('staff')) {
    staffing = staffingRequest(work, input.rawContext)
    const step = staffing ? check('staff') : ({ kind: 'skipped' } as const)
    if (step.kind === 'skipped') {
      notes.push(
        `I did not ask for staffing: the resourcing agent cannot read any of the roles (${listWords(work.roles.map((r) => r.role))}).`,
      )
    } else if (step.kind === 'pending' && staffing) {
      return delegate(
        `Step ${stepNo('staff')} of ${total}: the resourcing agent looks for people for ${listWords(staffing.roles)} from ${staffing.from} to ${staffing.to}.`,
        STEP.staff,
        'resourcing',
        staffing.request,
      )
    } else if (step.kind === 'error') {
      return stopHere('staff', `I could not delegate the staffing (${step.message})`)
    } else if (step.kind === 'done' && step.outcome.status !== 'completed') {
      return stopHere('staff', failureOf(step.outcome))
    }
    if (step.kind === 'done' && staffing?.lead && staffing.lead.people > 1) {
      const { role, people, hoursPerWeek } = staffing.lead
      notes.push(
        `The plan needs about ${people} people as ${role} at ${hoursPerWeek} h/week each from ${staffing.from} to ${staffing.to}; the resourcing agent ranked candidates for one such place.`,
      )
    }
    if (staffing && staffing.unreadable.length > 0) {
      notes.push(
        `The resourcing agent cannot read these roles yet, so I did not ask about them: ${listWords(staffing.unreadable)}.`,
      )
    }
  }

  let quote: QuoteRequest | null = null
  if (phases.includes('quote')) {
    const modifiers = quoteModifiers(u)
    quote = quoteRequest(work, client?.name ?? null, modifiers, input.rawContext)
    if (!quote) {
      return stopHere(
        'quote',
        `the quotes agent cannot read any of the roles to price (${listWords(work.roles.map((r) => r.role))})`,
      )
    }
    const step = check('quote')
    if (step.kind === 'pending') {
      const margin = modifiers.margin !== null ? ` at a ${modifiers.margin}% margin` : ''
      return delegate(
        `Step ${stepNo('quote')} of ${total}: the quotes agent prices ${listWords(quote.lines.map((l) => `${formatHours(l.hours)} h ${l.role}`))}${client ? ` for ${client.name}` : ''}${margin}.`,
        STEP.quote,
        'quotes',
        quote.request,
        clientContext,
      )
    }
    if (step.kind === 'error') return stopHere('quote', `I could not delegate the quote (${step.message})`)
    if (step.outcome.status !== 'completed') return stopHere('quote', failureOf(step.outcome))
    if (quote.unreadable.length > 0) {
      notes.push(
        `Not in the quote, because the quotes agent cannot read these roles yet: ${listWords(quote.unreadable.map((l) => `${formatHours(l.hours)} h ${l.role}`))}. Add them to the quote before sending it.`,
      )
    }
  }

  const proposals = done.flatMap((d) => d.outcome.proposals)
  const where = client ? ` for ${client.name}` : ''
  const budget = u.summary.budget ? ` (budget ${formatMoney(u.summary.budget)})` : ''
  const text = [
    `I delegated ${total === 1 ? 'the request' : `the ${total} steps`} for the ${planName}${where}${budget} to the specialists:`,
    ...done.map((d) => describeStep(d.phase, d.outcome)),
    ...notes,
    proposals.length > 0
      ? `Nothing changes until someone applies the proposals: ${quoted(proposals)}.`
      : 'No proposals were made.',
  ].join('\n\n')
  return finish(text, {
    result: json(
      result({
        proposals: proposals.map((p) => ({ proposal_id: p.proposal_id, title: p.title })),
        ...(staffing && { staffed_roles: staffing.roles }),
        ...(quote && {
          quoted_lines: quote.lines,
          not_quoted: quote.unreadable,
        }),
      }),
    ),
  })
}

/** Questions that only read, which several specialists can answer side by side. */
const REPORTS = new Set<Intent>([
  'status_check',
  'compare_baseline',
  'schedule',
  'over_allocation',
  'utilisation',
  'bench',
])

/** "A portfolio health summary and who is overbooked": the specialists with a report to give, in order. */
function reportSpecialists(input: PlaybookInput): Specialist[] {
  const agents = input.understanding.intents
    .filter((m) => REPORTS.has(m.intent))
    .sort((a, b) => (a.spans[0]?.start ?? 0) - (b.spans[0]?.start ?? 0))
    .map((m) => INTENT_AGENT[m.intent] as Specialist)
  return [...new Set(agents)]
}

/**
 * Each specialist answers its part of the same request (each reads the part that is its own), one after the
 * other; a failed part is reported with the parts that succeeded.
 */
function several(input: PlaybookInput, specialists: readonly Specialist[]): PlaybookDecision {
  const outcomes: ChildOutcome[] = []
  const failures: string[] = []
  for (const [index, agentType] of specialists.entries()) {
    const step = stepResult(input, index + 1)
    const label = SPECIALIST_LABELS[agentType]
    if (step.kind === 'pending') {
      return delegate(
        `Part ${index + 1} of ${specialists.length}: the ${label} agent answers its part of the request.`,
        index + 1,
        agentType,
        input.request,
      )
    }
    if (step.kind === 'error') failures.push(`the ${label} part could not be delegated (${step.message})`)
    else if (step.outcome.status !== 'completed') {
      outcomes.push(step.outcome)
      failures.push(failureOf(step.outcome))
    } else outcomes.push(step.outcome)
  }
  const answered = outcomes.filter((o) => o.status === 'completed')
  const text = [
    ...answered.map((o) => `${SPECIALIST_LABELS[o.agent_type]}:\n${o.text.trim()}`),
    ...(failures.length > 0
      ? [`Not answered: ${listWords(failures)}.${answered.length > 0 ? ' The parts above did succeed.' : ''}`]
      : []),
  ].join('\n\n')
  return finish(text, {
    result: json({ steps: outcomes.map(stepSummary), agents_involved: agentsInvolved(outcomes) }),
  })
}

/** The phases the request asks for, in the order they build on each other. */
function phasesOf(input: PlaybookInput): Phase[] {
  const wanted = new Set(
    input.understanding.intents.flatMap((m) => {
      const phase = PHASE_OF[m.intent]
      return phase ? [phase] : []
    }),
  )
  return (['plan', 'staff', 'quote'] as const).filter((p) => wanted.has(p))
}

/**
 * The orchestrator under the offline model. A broad request ("Set up, staff and quote a 12-week website
 * rebuild for Acme starting 5 Jan, budget $150k, at 30% margin") becomes a chain of delegations, each built
 * from the previous result; a request for one specialist ("Plan …", "Who can staff …", "Quote …", "How is
 * Acme doing?") is handed to that specialist as it is; anything else is explained, with nothing delegated.
 */
export const orchestratorPlaybook: Playbook = (input) => {
  const u = input.understanding
  if (!hasTool(input, DELEGATE_TOOL)) {
    return finish(
      'I cannot reach the specialists: the delegate_to_agent tool is not available. I made no changes.',
    )
  }
  if (u.intent === 'setup_staff_quote') {
    const phases = phasesOf(input)
    if (phases.length > 0) return broad(input, phases)
  }
  const reports = reportSpecialists(input)
  if (reports.length > 1) return several(input, reports)
  if (u.intent && u.intent !== 'setup_staff_quote') {
    return single(input, INTENT_AGENT[u.intent] as Specialist)
  }
  // No intent words, but the specialists' own fallbacks apply: hours per role are priced, a profile is searched.
  if (u.intent === null && u.hours.some((h) => h.per === null && h.role)) return single(input, 'quotes')
  if (u.intent === null && (u.roles.length > 0 || u.skills.length > 0)) return single(input, 'resourcing')
  return finish(
    `I coordinate the planning, staffing and quoting agents, but I could not tell what you want me to do, so I delegated nothing and made no changes. ${EXAMPLES}`,
    { result: { delegated: false, agents_involved: ['orchestrator'] } },
  )
}
