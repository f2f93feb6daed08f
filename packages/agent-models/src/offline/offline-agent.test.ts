import { Agent, type AgentStreamEvent, ConcurrentInvocationError, type Tool, tool } from '@strands-agents/sdk'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { formatUserMessage } from '../message-format.js'
import { OfflineModel } from './offline-model.js'
import { callTools, finish, lastCall, type Playbook } from './playbook.js'
import { answerText, extractResult } from './result-block.js'

// Small real tools, as an agent author would write them.
const CLIENTS = [
  { id: 'c-acme', name: 'Acme Corp' },
  { id: 'c-globex', name: 'Globex Industries' },
]
const toolCalls: string[] = []

const findClient = tool({
  name: 'find_client',
  description: 'Find a client by name',
  inputSchema: z.object({ name: z.string().min(1) }),
  callback: ({ name }) => {
    toolCalls.push(`find_client:${name}`)
    const client = CLIENTS.find((c) => c.name === name)
    if (!client) throw new Error(`no client called ${name}`)
    return client
  },
})

const createPlan = tool({
  name: 'create_plan',
  description: 'Propose a phased project plan',
  inputSchema: z.object({
    clientId: z.string(),
    title: z.string(),
    weeks: z.number().int().positive(),
    startDate: z.iso.date(),
    budgetMinor: z.int().nonnegative().optional(),
  }),
  callback: ({ clientId, title, weeks, startDate, budgetMinor }) => {
    toolCalls.push(`create_plan:${clientId}`)
    const discovery = Math.max(1, Math.round(weeks / 6))
    return {
      proposalId: `prop-${clientId}-${weeks}`,
      title,
      startDate,
      budgetMinor: budgetMinor ?? null,
      phases: [
        { name: 'Discovery', weeks: discovery },
        { name: 'Build', weeks: weeks - 2 * discovery },
        { name: 'Launch', weeks: discovery },
      ],
    }
  },
})

/** Example playbook: look the client up, propose a plan, answer with the proposal. */
const planPlaybook: Playbook = ({ understanding, steps }) => {
  const { summary } = understanding
  if (!summary.client || !summary.duration || !summary.startDate) {
    return finish('I need the client, the length and the start date before I can plan.', { reportGaps: true })
  }
  const lookup = lastCall(steps, 'find_client')
  if (!lookup) {
    return callTools(`First I look up ${summary.client.name}.`, {
      name: 'find_client',
      input: { name: summary.client.name },
    })
  }
  if (lookup.status === 'error') return finish(`I could not find the client: ${lookup.text}`)
  const plan = lastCall(steps, 'create_plan')
  if (!plan) {
    const client = lookup.output as { id: string }
    return callTools(
      `Found the client. Now I propose a ${summary.duration.weeks}-week plan starting ${summary.startDate}, with discovery, build and launch phases sized to the duration.`,
      {
        name: 'create_plan',
        input: {
          clientId: client.id,
          title: understanding.subject?.text ?? 'New project',
          weeks: Math.round(summary.duration.weeks),
          startDate: summary.startDate,
          ...(summary.budget && { budgetMinor: summary.budget.amountMinor }),
        },
      },
    )
  }
  const proposal = plan.output as { proposalId: string; phases: { name: string; weeks: number }[] }
  return finish(
    `I proposed plan ${proposal.proposalId}: ${proposal.phases.map((p) => `${p.name} (${p.weeks} weeks)`).join(', ')}. Apply it to create the project.`,
    { result: plan.output },
  )
}

const CONTEXT = { today: '2026-11-25', clients: CLIENTS }
const REQUEST = 'Plan a 12-week website rebuild for Acme starting 5 Jan, budget $150k'

function newAgent(model: OfflineModel, tools: Tool[] = [findClient, createPlan]) {
  return new Agent({ model, tools, printer: false })
}

function message(
  request = REQUEST,
  agentType = 'project_management',
  context: Record<string, unknown> = CONTEXT,
) {
  return formatUserMessage({ request, agentType, context })
}

/** The parts of each streamed event a runtime would forward, without object identities. */
function describeEvent(event: AgentStreamEvent): unknown {
  switch (event.type) {
    case 'modelStreamUpdateEvent':
      return { type: event.type, event: { ...event.event } }
    case 'contentBlockEvent':
      return { type: event.type, block: JSON.parse(JSON.stringify(event.contentBlock)) }
    case 'beforeToolCallEvent':
      return { type: event.type, toolUse: event.toolUse }
    case 'toolResultEvent':
      return { type: event.type, result: JSON.parse(JSON.stringify(event.result)) }
    case 'modelMessageEvent':
      return { type: event.type, stopReason: event.stopReason }
    default:
      return { type: event.type }
  }
}

async function run(agent: Agent, input: string, options: Parameters<Agent['stream']>[1] = {}) {
  const events: unknown[] = []
  const raw: AgentStreamEvent[] = []
  const stream = agent.stream(input, options)
  let next = await stream.next()
  while (!next.done) {
    raw.push(next.value)
    events.push(describeEvent(next.value))
    next = await stream.next()
  }
  return { events, raw, result: next.value }
}

const textDeltas = (raw: AgentStreamEvent[]) =>
  raw.flatMap((e) =>
    e.type === 'modelStreamUpdateEvent' &&
    e.event.type === 'modelContentBlockDeltaEvent' &&
    e.event.delta.type === 'textDelta'
      ? [e.event.delta.text]
      : [],
  )

describe('OfflineModel driving a real Strands Agent', () => {
  it('drives a multi-step tool sequence to a final answer with a structured result', async () => {
    toolCalls.length = 0
    const model = new OfflineModel({ playbooks: { project_management: planPlaybook } })
    const { result } = await run(newAgent(model), message())
    expect(result.stopReason).toBe('endTurn')
    expect(toolCalls).toEqual(['find_client:Acme Corp', 'create_plan:c-acme'])
    expect(answerText(result.lastMessage)).toBe(
      'I proposed plan prop-c-acme-12: Discovery (2 weeks), Build (8 weeks), Launch (2 weeks). Apply it to create the project.',
    )
    expect(extractResult(result.lastMessage)).toMatchObject({
      proposalId: 'prop-c-acme-12',
      title: 'website rebuild',
      startDate: '2027-01-05',
      budgetMinor: 15_000_000,
    })
  })

  it('produces exactly the same events when run twice', async () => {
    const model = new OfflineModel({ playbooks: { project_management: planPlaybook } })
    const first = await run(newAgent(model), message())
    const second = await run(newAgent(model), message())
    expect(second.events).toEqual(first.events)
    const types = first.events.map((e) => (e as { type: string }).type)
    expect(types.slice(0, 4)).toEqual([
      'beforeInvocationEvent',
      'messageAddedEvent',
      'beforeModelCallEvent',
      'modelStreamUpdateEvent',
    ])
    expect(types.slice(-3)).toEqual(['messageAddedEvent', 'afterInvocationEvent', 'agentResultEvent'])
  })

  it('streams its reasoning as several text deltas before calling a tool', async () => {
    const model = new OfflineModel({ chunkSize: 16, playbooks: { project_management: planPlaybook } })
    const { raw } = await run(newAgent(model), message())
    const firstToolStart = raw.findIndex(
      (e) =>
        e.type === 'modelStreamUpdateEvent' &&
        e.event.type === 'modelContentBlockStartEvent' &&
        e.event.start,
    )
    const before = textDeltas(raw.slice(0, firstToolStart))
    expect(before.length).toBeGreaterThan(5)
    expect(before.every((d) => d.length <= 16 || !d.trim().includes(' '))).toBe(true)
    expect(before.join('')).toBe(
      'I read this as a request to plan a project: client Acme Corp; "website rebuild"; 12 weeks; starting 2027-01-05; budget USD 150,000.00.\n' +
        '"5 Jan" has no year; I took the next one: 2027-01-05.\n\n' +
        'First I look up Acme Corp.',
    )
  })

  it('reports token usage estimates in the metadata of every model call', async () => {
    const model = new OfflineModel({ playbooks: { project_management: planPlaybook } })
    const { raw, result } = await run(newAgent(model), message())
    const usages = raw.flatMap((e) =>
      e.type === 'modelStreamUpdateEvent' && e.event.type === 'modelMetadataEvent' && e.event.usage
        ? [e.event.usage]
        : [],
    )
    expect(usages).toHaveLength(3)
    for (const usage of usages) {
      expect(usage.inputTokens).toBeGreaterThan(0)
      expect(usage.outputTokens).toBeGreaterThan(0)
      expect(usage.totalTokens).toBe(usage.inputTokens + usage.outputTokens)
    }
    // Each call sees a longer conversation.
    expect(usages[1]?.inputTokens).toBeGreaterThan(usages[0]?.inputTokens ?? 0)
    expect(result.metrics?.accumulatedUsage.totalTokens).toBe(
      usages.reduce((sum, u) => sum + u.totalTokens, 0),
    )
  })

  it('honours an AbortSignal fired while a tool runs: no further model calls or tools', async () => {
    toolCalls.length = 0
    const controller = new AbortController()
    const abortingLookup = tool({
      name: 'find_client',
      description: 'Find a client by name',
      inputSchema: z.object({ name: z.string() }),
      callback: ({ name }) => {
        toolCalls.push(`find_client:${name}`)
        controller.abort()
        return CLIENTS[0] ?? null
      },
    })
    const model = new OfflineModel({ playbooks: { project_management: planPlaybook } })
    const agent = newAgent(model, [abortingLookup, createPlan])
    const { raw, result } = await run(agent, message(), { cancelSignal: controller.signal })
    expect(result.stopReason).toBe('cancelled')
    expect(toolCalls).toEqual(['find_client:Acme Corp'])
    expect(raw.filter((e) => e.type === 'beforeModelCallEvent')).toHaveLength(1)
    // The agent stays usable: the conversation ends cleanly and it can be invoked again.
    expect(agent.messages.at(-1)?.role).toBe('assistant')
  })

  it('stops streaming as soon as it is cancelled mid-answer', async () => {
    toolCalls.length = 0
    const controller = new AbortController()
    const model = new OfflineModel({
      chunkSize: 8,
      chunkDelayMs: 2,
      playbooks: { project_management: planPlaybook },
    })
    const stream = newAgent(model).stream(message(), { cancelSignal: controller.signal })
    let deltas = 0
    let next = await stream.next()
    while (!next.done) {
      const event = next.value
      if (event.type === 'modelStreamUpdateEvent' && event.event.type === 'modelContentBlockDeltaEvent') {
        deltas++
        if (deltas === 3) controller.abort()
      }
      next = await stream.next()
    }
    expect(next.value.stopReason).toBe('cancelled')
    expect(deltas).toBe(3)
    expect(toolCalls).toEqual([])
  })

  it('stops at the turn limit', async () => {
    toolCalls.length = 0
    const model = new OfflineModel({ playbooks: { project_management: planPlaybook } })
    const { result } = await run(newAgent(model), message(), { limits: { turns: 1 } })
    expect(result.stopReason).toBe('limitTurns')
    expect(toolCalls).toEqual(['find_client:Acme Corp'])
  })

  it('says clearly what it did not understand and what is missing', async () => {
    const model = new OfflineModel({ playbooks: { project_management: planPlaybook } })
    const { raw, result } = await run(
      newAgent(model),
      message('Plan a website rebuild for Acme, make it purple, with unicorns'),
    )
    const streamed = textDeltas(raw).join('')
    expect(streamed).toContain('I did not understand: "make it purple", "unicorns".')
    expect(streamed).toContain('Missing: a start date; how long it should take (or an end date).')
    expect(answerText(result.lastMessage)).toContain(
      'I need the client, the length and the start date before I can plan.',
    )
  })

  it('repeats what it did not understand in its final answer after using tools', async () => {
    const model = new OfflineModel({ playbooks: { project_management: planPlaybook } })
    const { result } = await run(newAgent(model), message(`${REQUEST}, and make it purple`))
    const answer = answerText(result.lastMessage)
    expect(answer).toMatch(/^I proposed plan prop-c-acme-12/)
    expect(answer).toContain('I did not understand: "make it purple".')
  })

  it('lets a playbook react to a failed tool', async () => {
    // The context knows Initech, the tool's data does not: the tool throws, the playbook explains.
    const model = new OfflineModel({ playbooks: { project_management: planPlaybook } })
    const { result } = await run(
      newAgent(model),
      message('Plan a 12-week rebuild for Initech starting 5 Jan', 'project_management', {
        ...CONTEXT,
        clients: [{ id: 'c-initech', name: 'Initech' }],
      }),
    )
    expect(answerText(result.lastMessage)).toContain(
      'I could not find the client: Error: no client called Initech',
    )
  })
})

describe('playbook failures become clear answers', () => {
  const runWith = async (playbook: Playbook, tools: Tool[] = [findClient, createPlan]) => {
    toolCalls.length = 0
    const model = new OfflineModel({ playbooks: { project_management: playbook } })
    return run(newAgent(model, tools), message())
  }

  it('a playbook that throws', async () => {
    const { result } = await runWith(() => {
      throw new Error('boom')
    })
    expect(result.stopReason).toBe('endTurn')
    expect(answerText(result.lastMessage)).toContain('I could not continue: my playbook failed (boom).')
  })

  it('a tool call whose input does not fit the tool schema is never emitted', async () => {
    const { result, raw } = await runWith(() =>
      callTools('Planning.', {
        name: 'create_plan',
        input: { clientId: 'c-acme', title: 'x', weeks: 'twelve', startDate: '5 Jan' },
      }),
    )
    expect(raw.some((e) => e.type === 'beforeToolCallEvent')).toBe(false)
    expect(toolCalls).toEqual([])
    const answer = answerText(result.lastMessage)
    expect(answer).toContain('the input for "create_plan" is invalid:')
    expect(answer).toContain('input/weeks must be integer')
    expect(answer).toContain('input/startDate must match pattern')
  })

  it('a call to a tool the agent does not have', async () => {
    const { result } = await runWith(() => callTools('Deleting.', { name: 'delete_everything', input: {} }))
    expect(answerText(result.lastMessage)).toContain('the tool "delete_everything" is not available')
  })

  it('a malformed decision', async () => {
    const { result } = await runWith((() => ({
      type: 'tools',
      reasoning: 'x',
      calls: [],
    })) as unknown as Playbook)
    expect(answerText(result.lastMessage)).toContain('my playbook returned an invalid step')
  })

  it('a playbook that never finishes is stopped after maxSteps', async () => {
    toolCalls.length = 0
    const model = new OfflineModel({
      maxSteps: 3,
      playbooks: {
        project_management: () => callTools('Again.', { name: 'find_client', input: { name: 'Acme Corp' } }),
      },
    })
    const { result } = await run(newAgent(model), message())
    expect(toolCalls).toHaveLength(3)
    expect(answerText(result.lastMessage)).toContain(
      'I stopped after 3 tool steps without reaching an answer.',
    )
  })
})

describe('default playbook and sharing', () => {
  it('explains what it understood and that it could not act', async () => {
    toolCalls.length = 0
    const { result, raw } = await run(newAgent(new OfflineModel()), message(REQUEST, 'quotes'))
    expect(toolCalls).toEqual([])
    const streamed = textDeltas(raw).join('')
    expect(streamed).toContain('I read this as a request to plan a project')
    expect(streamed).toContain(
      'This reads as a project management request (plan), not one for the quotes agent.',
    )
    expect(answerText(result.lastMessage)).toContain('the offline model has no playbook for the quotes agent')
    expect(extractResult(result.lastMessage)).toEqual({
      acted: false,
      intent: 'plan',
      agentType: 'project_management',
      missing: [],
      notUnderstood: [],
    })
  })

  it('works with a plain-text request that has no context block', async () => {
    const { result } = await run(newAgent(new OfflineModel()), 'how is Acme doing?')
    expect(answerText(result.lastMessage)).toContain(
      'I read this as a request to check how a project is doing',
    )
    expect(answerText(result.lastMessage)).toContain('Missing: which project or client to check.')
  })

  it('one model instance serves concurrent agents; one agent refuses concurrent invocations', async () => {
    const model = new OfflineModel({ playbooks: { project_management: planPlaybook } })
    const results = await Promise.all([1, 2, 3].map(() => run(newAgent(model), message())))
    for (const { result } of results)
      expect(extractResult(result.lastMessage)).toMatchObject({ proposalId: 'prop-c-acme-12' })
    expect(results[1]?.events).toEqual(results[0]?.events)

    const agent = newAgent(model)
    const first = agent.invoke(message())
    await expect(agent.invoke(message())).rejects.toBeInstanceOf(ConcurrentInvocationError)
    await first
  })

  it('answers follow-up requests on the same agent with unique tool-use ids', async () => {
    const model = new OfflineModel({ playbooks: { project_management: planPlaybook } })
    const agent = newAgent(model)
    await agent.invoke(message())
    await agent.invoke(message('Plan a 6-week discovery for Globex starting next Monday'))
    const ids = agent.messages.flatMap((m) =>
      m.content.flatMap((b) => (b.type === 'toolUseBlock' ? [b.toolUseId] : [])),
    )
    expect(ids).toHaveLength(4)
    expect(new Set(ids).size).toBe(4)
    expect(extractResult(agent.messages.at(-1) as never)).toMatchObject({
      proposalId: 'prop-c-globex-6',
      startDate: '2026-11-30',
    })
  })

  it('fills a forced structured-output tool from the final result', async () => {
    const schema = z.object({ proposalId: z.string(), startDate: z.string() })
    const model = new OfflineModel({ playbooks: { project_management: planPlaybook } })
    const agent = new Agent({
      model,
      tools: [findClient, createPlan],
      printer: false,
      structuredOutputSchema: schema,
    })
    const result = await agent.invoke(message())
    expect(result.structuredOutput).toEqual({ proposalId: 'prop-c-acme-12', startDate: '2027-01-05' })
  })
})
