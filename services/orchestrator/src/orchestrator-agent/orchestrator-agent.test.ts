import type { SessionEventEnvelope } from '@psa/agent-pipeline'
import { SessionStatus } from '@psa/proto'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type AgentStack, startAgentStack } from './test-stack.js'

// End to end on the demo data: requests go in over gRPC, the embedded orchestrator agent delegates through
// child sessions to the specialists' real workers, everything through the real Postgres and NATS.
let stack: AgentStack

const BROAD =
  'Set up, staff and quote a 12-week website rebuild for Acme starting 5 Jan, budget $150k, at 30% margin'

beforeAll(async () => {
  stack = await startAgentStack('orch_agent')
})
afterAll(async () => {
  await stack?.close()
})

/** Event types in order; a long text streams as several reasoning chunks, counted as one. */
function kinds(events: SessionEventEnvelope[]): string[] {
  return events
    .map((e) => (e.type === 'status_changed' ? `status:${e.data.status}` : e.type))
    .filter((kind, i, all) => kind !== 'reasoning' || all[i - 1] !== 'reasoning')
}

type Delegation = {
  step: number
  child_session_id: string
  agent_type: string
  status: string
  reattached: boolean
  proposals: { title: string }[]
}

/** The delegations' outcomes as the parent's stream shows them (its tool_call_finished events). */
function delegations(events: SessionEventEnvelope[]): Delegation[] {
  return events.flatMap((e) =>
    e.type === 'tool_call_finished' && e.data.name === 'delegate_to_agent' && e.data.ok
      ? [e.data.output as Delegation]
      : [],
  )
}

async function proposalsOf(sessionId: string) {
  return stack.server.db.asService((tx) =>
    tx
      .selectFrom('proposals')
      .select(['id', 'title', 'status'])
      .where('session_id', '=', sessionId)
      .execute(),
  )
}

describe('orchestrator agent', () => {
  it('sets up, staffs and quotes the Acme rebuild through three child sessions, passing results forward', async () => {
    const started = performance.now()
    const parentId = await stack.submit(BROAD)
    const parent = await stack.waitFor(parentId, ['completed', 'failed', 'cancelled'])
    const seconds = (performance.now() - started) / 1000
    expect(parent.status).toBe('completed')

    const children = await stack.children(parentId)
    expect(children.map((c) => [c.agent_type, c.status, c.attempts])).toEqual([
      ['project_management', 'completed', 1],
      ['resourcing', 'completed', 1],
      ['quotes', 'completed', 1],
    ])
    const [plan, staff, quote] = children as [
      (typeof children)[0],
      (typeof children)[0],
      (typeof children)[0],
    ]
    expect(plan.request).toBe(
      'Plan a 12-week website rebuild for Acme Retail Group starting 2027-01-05, budget USD 150,000.00',
    )
    // Built from the plan: its biggest roles, their weekly load and dates.
    expect(staff.request).toMatch(
      /^Who can staff an? [A-Z][\w ]+ at \d+ hours a week(, an? [A-Z][\w ]+)* and an? [A-Z][\w ]+ from 2027-\d\d-\d\d to 2027-\d\d-\d\d\?$/,
    )
    expect(quote.request).toMatch(
      /^Quote \d+(\.\d)?h [A-Z][\w ]+( \+ \d+(\.\d)?h [A-Z][\w ]+)+ for Acme Retail Group at 30% margin$/,
    )
    for (const child of children) {
      expect(child.parent_session_id).toBe(parentId)
      expect(child.user_id).toBe(parent.user_id)
      expect(child.trace_id).toBe(parent.trace_id)
    }

    // The plan's hours per role are what the quote prices.
    const planProposals = await proposalsOf(plan.id)
    const quoteProposals = await proposalsOf(quote.id)
    expect(planProposals).toHaveLength(1)
    expect(planProposals[0]?.title).toMatch(/^Plan .+ Website Rebuild for Acme Retail Group$/)
    expect(quoteProposals).toHaveLength(1)

    const events = await stack.events(parentId)
    expect(kinds(events)).toEqual([
      'status:queued',
      'status:processing',
      ...Array.from({ length: 3 }, () => [
        'reasoning',
        'tool_call_started',
        'child_session',
        'child_session',
        'tool_call_finished',
      ]).flat(),
      'reasoning',
      'final_result',
      'status:completed',
    ])
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1))
    const steps = delegations(events)
    expect(steps.map((d) => [d.step, d.agent_type, d.child_session_id, d.status, d.reattached])).toEqual([
      [1, 'project_management', plan.id, 'completed', false],
      [2, 'resourcing', staff.id, 'completed', false],
      [3, 'quotes', quote.id, 'completed', false],
    ])
    expect(steps[0]?.proposals.map((p) => p.title)).toEqual(planProposals.map((p) => p.title))
    // Each delegation is announced on the parent's stream when queued and again when it ends.
    expect(
      events.flatMap((e) => (e.type === 'child_session' ? [[e.data.child_session_id, e.data.status]] : [])),
    ).toEqual([
      [plan.id, 'queued'],
      [plan.id, 'completed'],
      [staff.id, 'queued'],
      [staff.id, 'completed'],
      [quote.id, 'queued'],
      [quote.id, 'completed'],
    ])
    expect(parent.agents_involved).toEqual(['orchestrator', 'project_management', 'resourcing', 'quotes'])

    const final = events.find((e) => e.type === 'final_result')
    const text = final?.type === 'final_result' ? final.data.text : ''
    expect(text).toContain(`Proposal: "${planProposals[0]?.title}"`)
    expect(text).toContain(`Proposal: "${quoteProposals[0]?.title}"`)
    expect(text).toContain('2. Staffing, by the resourcing agent (completed).')
    expect(parent.result).toMatchObject({
      intent: 'setup_staff_quote',
      client: { name: 'Acme Retail Group' },
      agents_involved: ['orchestrator', 'project_management', 'resourcing', 'quotes'],
      steps: [
        { step: 1, child_session_id: plan.id, status: 'completed' },
        { step: 2, child_session_id: staff.id, status: 'completed' },
        { step: 3, child_session_id: quote.id, status: 'completed' },
      ],
      proposals: [
        { proposal_id: planProposals[0]?.id, title: planProposals[0]?.title },
        { proposal_id: quoteProposals[0]?.id, title: quoteProposals[0]?.title },
      ],
    })
    // Each child's own stream starts with the admission event the orchestrator wrote, like any request's.
    const childEvents = await stack.events(plan.id)
    expect(kinds(childEvents).slice(0, 2)).toEqual(['status:queued', 'status:processing'])
    expect(kinds(childEvents).at(-1)).toBe('status:completed')
    expect(seconds).toBeLessThan(20)
  })

  it('hands a plain single-agent request to that one specialist', async () => {
    const request = 'Quote 200h senior dev + 80h design for Acme at 30% margin, client rate card'
    const parentId = await stack.submit(request)
    const parent = await stack.waitFor(parentId, ['completed', 'failed', 'cancelled'])
    expect(parent.status).toBe('completed')
    const children = await stack.children(parentId)
    expect(children.map((c) => [c.agent_type, c.request, c.status])).toEqual([
      ['quotes', request, 'completed'],
    ])
    const [proposal] = await proposalsOf(children[0]?.id as string)
    expect(parent.result).toMatchObject({
      agents_involved: ['orchestrator', 'quotes'],
      steps: [{ step: 1, agent_type: 'quotes', proposals: [{ title: proposal?.title }] }],
    })
    expect((parent.result as { summary: string }).summary).toMatch(
      /^The quotes agent answered:\n\nI proposed a draft quote/,
    )
  })

  it('delegates nothing for a request it cannot understand, or one missing what the plan needs, and says why', async () => {
    const [vague, partial] = await Promise.all([
      stack.submit('Make the synergies pop before the offsite'),
      stack.submit('Set up, staff and quote the Acme rebuild'),
    ])
    const [vagueRow, partialRow] = await Promise.all([
      stack.waitFor(vague, ['completed', 'failed']),
      stack.waitFor(partial, ['completed', 'failed']),
    ])
    expect([vagueRow.status, partialRow.status]).toEqual(['completed', 'completed'])
    expect(await stack.children(vague)).toEqual([])
    expect(await stack.children(partial)).toEqual([])
    expect((vagueRow.result as { summary: string }).summary).toContain(
      'I could not tell what you want me to do, so I delegated nothing and made no changes.',
    )
    expect((partialRow.result as { summary: string }).summary).toContain(
      'To set up, staff and quote this I need to know how long it should take',
    )
    expect(kinds(await stack.events(vague))).toEqual([
      'status:queued',
      'status:processing',
      'reasoning',
      'final_result',
      'status:completed',
    ])
  })

  it('cancelling the parent cancels its running child and delegates nothing more', async () => {
    // The resourcing worker holds its tool call open, so the staffing child is still running when asked.
    await stack.setSpecialist('resourcing', { toolDelayMs: 20_000 })
    try {
      const parentId = await stack.submit(BROAD)
      const staffStatus = async () =>
        (await stack.children(parentId)).find((c) => c.agent_type === 'resourcing')?.status
      await expect.poll(staffStatus, { timeout: 15_000, interval: 50 }).toBe('processing')
      const staff = (await stack.children(parentId)).find((c) => c.agent_type === 'resourcing')
      const cancelStarted = performance.now()
      const answer = await stack.cancel(parentId, 'Not needed any more')
      expect(answer.status).toBe(SessionStatus.SESSION_STATUS_CANCELLED)
      const child = await stack.waitFor(staff?.id as string, ['completed', 'failed', 'cancelled'], 10_000)
      const cancelMs = performance.now() - cancelStarted
      expect(child.status).toBe('cancelled')
      expect(child.error).toMatchObject({
        code: 'CANCELLED',
        message: 'The orchestrator request was cancelled: Not needed any more',
      })
      expect(cancelMs).toBeLessThan(5_000)
      const children = await stack.children(parentId)
      expect(children.map((c) => [c.agent_type, c.status])).toEqual([
        ['project_management', 'completed'],
        ['resourcing', 'cancelled'],
      ])
      expect(kinds(await stack.events(child.id)).at(-1)).toBe('status:cancelled')
      expect((await stack.session(parentId)).status).toBe('cancelled')
    } finally {
      await stack.setSpecialist('resourcing')
    }
  })

  it('a parent that runs out of time fails with AGENT_TIMEOUT and cancels its running child', async () => {
    await stack.setSpecialist('resourcing', { toolDelayMs: 20_000 })
    await stack.restartOrchestratorAgent({ ORCHESTRATOR_AGENT_TIMEOUT_MS: 3_000 })
    try {
      const parentId = await stack.submit(BROAD)
      const parent = await stack.waitFor(parentId, ['completed', 'failed', 'cancelled'], 15_000)
      expect(parent.status).toBe('failed')
      expect(parent.error).toMatchObject({ code: 'AGENT_TIMEOUT' })
      // Whichever child was running at the deadline (the held staffing one, unless a loaded machine made the
      // plan miss it) is cancelled; the ones before it had finished.
      const children = await stack.children(parentId)
      expect(children.length).toBeGreaterThan(0)
      const running = await stack.waitFor(
        children.at(-1)?.id as string,
        ['completed', 'failed', 'cancelled'],
        10_000,
      )
      expect(running.status).toBe('cancelled')
      expect(running.error).toMatchObject({ message: 'The orchestrator request ran out of time' })
      expect(children.slice(0, -1).map((c) => c.status)).toEqual(children.slice(0, -1).map(() => 'completed'))
      expect(children.map((c) => c.agent_type)).not.toContain('quotes')
    } finally {
      await stack.restartOrchestratorAgent()
      await stack.setSpecialist('resourcing')
    }
  })

  it('a restarted parent attempt re-attaches to the children it already has instead of delegating again', async () => {
    await stack.setSpecialist('resourcing', { toolDelayMs: 1_500 })
    try {
      const parentId = await stack.submit(BROAD)
      await expect
        .poll(
          async () => (await stack.children(parentId)).find((c) => c.agent_type === 'resourcing')?.status,
          {
            timeout: 15_000,
            interval: 50,
          },
        )
        .toBe('processing')
      // Stops the orchestrator agent while it waits for the staffing child: its attempt is handed back, and
      // the children keep running.
      await stack.restartOrchestratorAgent()
      const parent = await stack.waitFor(parentId, ['completed', 'failed', 'cancelled'])
      expect(parent.status).toBe('completed')
      expect(parent.attempts).toBe(2)
      const children = await stack.children(parentId)
      expect(children.map((c) => [c.agent_type, c.status, c.attempts])).toEqual([
        ['project_management', 'completed', 1],
        ['resourcing', 'completed', 1],
        ['quotes', 'completed', 1],
      ])
      const events = await stack.events(parentId)
      expect(kinds(events)).toContain('status:processing')
      const restartedAt = events.findIndex(
        (e) => e.type === 'status_changed' && e.data.status === 'processing' && e.data.attempt === 2,
      )
      expect(restartedAt).toBeGreaterThan(0)
      const afterRestart = delegations(events.slice(restartedAt))
      expect(afterRestart.map((d) => [d.step, d.child_session_id, d.reattached])).toEqual([
        [1, children[0]?.id, true],
        [2, children[1]?.id, true],
        [3, children[2]?.id, false],
      ])
      // One plan proposal: the first attempt's plan child was not run again.
      expect(await proposalsOf(children[0]?.id as string)).toHaveLength(1)
    } finally {
      await stack.setSpecialist('resourcing')
    }
  })
})
