import {
  type PlaybookDecision,
  type PlaybookInput,
  type PlaybookStep,
  requestContextSchema,
  understand,
} from '@psa/agent-models'
import { describe, expect, it } from 'vitest'
import type { ChildOutcome, Specialist } from './child-outcome.js'
import { DELEGATE_TOOL } from './delegate-tool.js'
import { orchestratorPlaybook } from './playbook.js'
import { CLIENTS, MODEL_CONTEXT } from './test-context.js'

const BROAD =
  'Set up, staff and quote a 12-week website rebuild for Acme starting 5 Jan, budget $150k, at 30% margin'

function input(request: string, steps: PlaybookStep[] = [], context: object = MODEL_CONTEXT): PlaybookInput {
  return {
    request,
    agentType: 'orchestrator',
    context: requestContextSchema.parse(context),
    rawContext: context as Record<string, unknown>,
    understanding: understand(request, context, { agentType: 'orchestrator' }),
    tools: [{ name: DELEGATE_TOOL, description: 'delegate', inputSchema: { type: 'object' } }],
    steps,
  }
}

let ids = 0
function outcome(step: number, agentType: Specialist, more: Partial<ChildOutcome> = {}): ChildOutcome {
  ids++
  return {
    step,
    child_session_id: `00000000-0000-4000-8000-${String(ids).padStart(12, '0')}`,
    agent_type: agentType,
    status: 'completed',
    request: 'the request',
    reattached: false,
    text: `The ${agentType} answer.`,
    result: {},
    error: null,
    proposals: [],
    planned_work: null,
    processing_time_ms: 120,
    ...more,
  }
}

const PLAN = outcome(1, 'project_management', {
  text: 'I proposed WR-2701, a tentative project for Acme Retail Group.',
  proposals: [
    {
      proposal_id: '00000000-0000-4000-8000-0000000000a1',
      title: 'Plan WR-2701 Website Rebuild for Acme Retail Group',
      summary: '12-week plan',
      status: 'pending',
      change_count: 40,
    },
  ],
  planned_work: {
    project: {
      id: '00000000-0000-4000-8000-0000000000b1',
      name: 'Website Rebuild',
      code: 'WR-2701',
      client_id: CLIENTS.acme.id,
      starts_on: '2027-01-05',
      ends_on: '2027-03-26',
    },
    starts_on: '2027-01-05',
    ends_on: '2027-03-26',
    roles: [
      { role: 'Senior Developer', role_id: 'r1', hours: 320, starts_on: '2027-01-25', ends_on: '2027-03-19' },
      { role: 'Designer', role_id: 'r2', hours: 120, starts_on: '2027-01-18', ends_on: '2027-02-19' },
      {
        role: 'Change Coordinator',
        role_id: 'r3',
        hours: 60,
        starts_on: '2027-01-05',
        ends_on: '2027-01-29',
      },
    ],
    total_hours: 500,
    unassigned_hours: 0,
  },
})
const STAFF = outcome(2, 'resourcing', {
  text: '- Senior Developer (40 h/week): 3 of 7 qualified people can take it.',
})
const QUOTE = outcome(3, 'quotes', {
  text: 'I proposed a draft quote "Acme Retail Group: 320 h Senior Developer + 120 h Designer" (version 1).',
  proposals: [
    {
      proposal_id: '00000000-0000-4000-8000-0000000000a3',
      title: 'Quote: Acme Retail Group: 320 h Senior Developer + 120 h Designer',
      summary: 'draft quote',
      status: 'pending',
      change_count: 4,
    },
  ],
})

/** A delegation made earlier in the request: its outcome, or the tool's error text. */
function delegated(step: number, agentType: Specialist, result: ChildOutcome | string): PlaybookStep {
  const ok = typeof result !== 'string'
  return {
    reasoning: '',
    calls: [
      {
        toolUseId: `t${step}`,
        name: DELEGATE_TOOL,
        input: { agent_type: agentType, request: 'r', step },
        status: ok ? 'success' : 'error',
        output: ok ? (result as unknown as PlaybookStep['calls'][number]['output']) : null,
        text: typeof result === 'string' ? result : '',
      },
    ],
  }
}

function call(decision: PlaybookDecision) {
  expect(decision.type).toBe('tools')
  if (decision.type !== 'tools') throw new Error('not a tool call')
  expect(decision.calls).toHaveLength(1)
  return decision.calls[0]?.input as { agent_type: string; request: string; step: number; context?: object }
}

function final(decision: PlaybookDecision) {
  if (decision.type !== 'final') throw new Error(`expected a final answer, got ${JSON.stringify(decision)}`)
  return { text: decision.text, result: decision.result as Record<string, unknown> }
}

describe('orchestrator playbook: set up, staff and quote', () => {
  it('plans first, with the client, length, start and budget, and the client id in the context', () => {
    expect(call(orchestratorPlaybook(input(BROAD)))).toEqual({
      agent_type: 'project_management',
      step: 1,
      request:
        'Plan a 12-week website rebuild for Acme Retail Group starting 2027-01-05, budget USD 150,000.00',
      context: { client_id: CLIENTS.acme.id },
    })
  })

  it("then asks who can staff the plan's main roles over their dates, built from the plan's hours", () => {
    const next = call(orchestratorPlaybook(input(BROAD, [delegated(1, 'project_management', PLAN)])))
    expect(next).toEqual({
      agent_type: 'resourcing',
      step: 2,
      request:
        'Who can staff a Senior Developer at 36 hours a week and a Designer from 2027-01-18 to 2027-03-19?',
    })
  })

  it("then has the plan's hours per role quoted for the client at the margin asked for", () => {
    const next = call(
      orchestratorPlaybook(
        input(BROAD, [delegated(1, 'project_management', PLAN), delegated(2, 'resourcing', STAFF)]),
      ),
    )
    expect(next).toEqual({
      agent_type: 'quotes',
      step: 3,
      request: 'Quote 320h Senior Developer + 120h Designer for Acme Retail Group at 30% margin',
      context: { client_id: CLIENTS.acme.id },
    })
  })

  it('summarises the three outcomes with their proposal titles and what was left out', () => {
    const { text, result } = final(
      orchestratorPlaybook(
        input(BROAD, [
          delegated(1, 'project_management', PLAN),
          delegated(2, 'resourcing', STAFF),
          delegated(3, 'quotes', QUOTE),
        ]),
      ),
    )
    expect(text).toContain('1. Plan, by the project management agent (completed). Proposal: "Plan WR-2701')
    expect(text).toContain('2. Staffing, by the resourcing agent (completed).')
    expect(text).toContain('3. Quote, by the quotes agent (completed). Proposal: "Quote: Acme Retail Group')
    expect(text).toContain(STAFF.text)
    expect(text).toContain('60 h Change Coordinator')
    expect(text).toContain('Nothing changes until someone applies the proposals')
    expect(result).toMatchObject({
      intent: 'setup_staff_quote',
      client: CLIENTS.acme,
      agents_involved: ['orchestrator', 'project_management', 'resourcing', 'quotes'],
      steps: [
        { step: 1, agent_type: 'project_management', status: 'completed' },
        { step: 2, agent_type: 'resourcing', status: 'completed' },
        { step: 3, agent_type: 'quotes', status: 'completed' },
      ],
      proposals: [{ title: PLAN.proposals[0]?.title }, { title: QUOTE.proposals[0]?.title }],
      staffed_roles: ['Senior Developer', 'Designer'],
      not_quoted: [{ role: 'Change Coordinator', hours: 60 }],
    })
  })

  it('asks for what the plan needs before delegating anything', () => {
    const { text, result } = final(orchestratorPlaybook(input('Set up, staff and quote the Acme rebuild')))
    expect(text).toBe(
      'To set up, staff and quote this I need to know how long it should take (e.g. "12 weeks") or an end date. I have not delegated anything yet, and nothing was changed.',
    )
    expect(result).toMatchObject({ delegated: false })
    const noClient = final(orchestratorPlaybook(input('Set up, staff and quote a 12-week website rebuild')))
    expect(noClient.text).toContain('which client it is for')
  })

  it('stops at a failed step and says what was done before it', () => {
    const failed = outcome(2, 'resourcing', {
      status: 'failed',
      text: '',
      error: { code: 'AGENT_TIMEOUT', message: 'The request did not finish within 300 s' },
    })
    const { text, result } = final(
      orchestratorPlaybook(
        input(BROAD, [delegated(1, 'project_management', PLAN), delegated(2, 'resourcing', failed)]),
      ),
    )
    expect(text).toMatch(
      /^I stopped at step 2 of 3 \(staffing\): the resourcing agent failed: The request did not finish within 300 s\. I did not go on to the quote\./,
    )
    expect(text).toContain('Done before that:')
    expect(text).toContain('Proposal: "Plan WR-2701')
    expect(result).toMatchObject({ stopped_at: 'staff', steps: [{ step: 1 }, { step: 2, status: 'failed' }] })
  })

  it('stops when the project agent answered without a plan, repeating what it said', () => {
    const noPlan = outcome(1, 'project_management', { text: 'Which client do you mean: Acme or Acme Labs?' })
    const { text } = final(orchestratorPlaybook(input(BROAD, [delegated(1, 'project_management', noPlan)])))
    expect(text).toContain(
      'the project management agent did not propose a plan. It said: Which client do you mean',
    )
    expect(text).toContain('I did not go on to the staffing and quote.')
  })

  it('stops when a delegation itself was refused', () => {
    const { text } = final(
      orchestratorPlaybook(input(BROAD, [delegated(1, 'project_management', 'INVALID_STATE: cancelled')])),
    )
    expect(text).toContain('I could not delegate the plan (INVALID_STATE: cancelled)')
  })

  it('does only the phases asked for: "plan and quote" skips staffing', () => {
    const request = 'Plan and quote a 12-week website rebuild for Acme starting 5 Jan'
    const next = call(orchestratorPlaybook(input(request, [delegated(1, 'project_management', PLAN)])))
    expect(next).toMatchObject({ agent_type: 'quotes', step: 3 })
  })
})

describe('orchestrator playbook: one specialist', () => {
  it.each([
    ['Plan a 12-week website rebuild for Acme starting 5 Jan, budget $150k', 'project_management'],
    ['How is Acme doing?', 'project_management'],
    [
      "Who can staff Acme's React roles next month without pushing anyone past their utilisation target?",
      'resourcing',
    ],
    ['Quote 200h senior dev + 80h design at 30% margin, client rate card, 5% discount', 'quotes'],
    ['200h senior dev + 80h design for Acme', 'quotes'],
  ])('hands "%s" to the %s agent as it is', (request, agentType) => {
    expect(call(orchestratorPlaybook(input(request)))).toEqual({ agent_type: agentType, request, step: 1 })
  })

  it("answers with the specialist's answer and proposals", () => {
    const request = 'Plan a 12-week website rebuild for Acme starting 5 Jan'
    const { text, result } = final(
      orchestratorPlaybook(input(request, [delegated(1, 'project_management', PLAN)])),
    )
    expect(text).toBe(
      `The project management agent answered:\n\n${PLAN.text}\n\nProposals: "Plan WR-2701 Website Rebuild for Acme Retail Group".`,
    )
    expect(result).toMatchObject({
      agents_involved: ['orchestrator', 'project_management'],
      steps: [{ step: 1, child_session_id: PLAN.child_session_id }],
    })
  })

  it('says so when the specialist was cancelled', () => {
    const cancelled = outcome(1, 'quotes', {
      status: 'cancelled',
      error: { code: 'CANCELLED', message: 'Cancelled by user' },
    })
    const { text } = final(
      orchestratorPlaybook(input('Quote 200h senior dev for Acme', [delegated(1, 'quotes', cancelled)])),
    )
    expect(text).toBe(
      "I handed the request to the quotes agent, but the quotes agent's session was cancelled (Cancelled by user).",
    )
  })
})

describe('orchestrator playbook: not understood', () => {
  it('explains what it can do and delegates nothing', () => {
    const { text, result } = final(orchestratorPlaybook(input('Make the synergies pop before the offsite')))
    expect(text).toContain(
      'I could not tell what you want me to do, so I delegated nothing and made no changes.',
    )
    expect(text).toContain('Set up, staff and quote a 12-week website rebuild')
    expect(result).toEqual({ delegated: false, agents_involved: ['orchestrator'] })
  })
})
