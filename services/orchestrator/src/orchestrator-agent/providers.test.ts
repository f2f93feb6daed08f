import { parseAgentModelEnv } from '@psa/agent-models'
import {
  PROVIDER_WIRES,
  type ScriptedProvider,
  type ScriptedToolCall,
  startScriptedProvider,
} from '@psa/agent-models/testing'
import { expectAgentToolsOffered } from '@psa/agent-runtime/testing/providers'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { SYSTEM_PROMPT } from './agent.js'
import type { ChildOutcome } from './child-outcome.js'
import { DELEGATE_DESCRIPTION, DELEGATE_TOOL, delegateInputSchema } from './delegate-tool.js'
import { type AgentStack, startAgentStack } from './test-stack.js'

// The orchestrator agent with a real provider (OpenAI, Anthropic, Bedrock wire formats) playing a scripted
// model on loopback, over the whole in-process pipeline: its delegate_to_agent call starts a real child
// session of the project agent (offline model) on the demo data, and the child's outcome comes back to the
// model as the tool result, in that provider's shape.
const TOOLS = [{ name: DELEGATE_TOOL, description: DELEGATE_DESCRIPTION, inputSchema: delegateInputSchema }]
const PLAN = 'Plan a 12-week website rebuild for Acme starting 5 Jan, budget $150k'

let stack: AgentStack
beforeAll(async () => {
  stack = await startAgentStack('orch_providers')
})
afterAll(async () => {
  await stack?.close()
})

/** Submits as the demo admin; the scripted model makes `call`, then answers from its result. */
async function run(provider: ScriptedProvider, request: string, call: ScriptedToolCall) {
  const before = provider.requests.length
  provider.play((req, turn) =>
    turn === 0
      ? { text: 'Step 1 first.', toolCalls: [call] }
      : { text: `Done. ${req.results[0]?.text.slice(0, 80)}\n<result>{"steps":1}</result>` },
  )
  const id = await stack.submit(request)
  const session = await stack.waitFor(id, ['completed', 'failed', 'cancelled'], 60_000)
  const events = await stack.events(id)
  return { session, events, requests: provider.requests.slice(before), callId: provider.issuedCallIds.at(-1) }
}

describe.each(PROVIDER_WIRES)('orchestrator agent on %s', (wire) => {
  let provider: ScriptedProvider
  beforeAll(async () => {
    provider = await startScriptedProvider(wire)
    await stack.restartOrchestratorAgent(parseAgentModelEnv(provider.env))
  })
  afterAll(async () => {
    await stack.restartOrchestratorAgent()
    await provider?.close()
  })

  it('delegates the plan to the project agent and reads its child outcome back', async () => {
    const call = {
      name: DELEGATE_TOOL,
      input: { agent_type: 'project_management', step: 1, request: PLAN },
    }
    const { session, events, requests, callId } = await run(provider, `Set up: ${PLAN}`, call)
    expect(session.status, JSON.stringify(session.error)).toBe('completed')
    const [first, second] = requests
    expect(requests).toHaveLength(2)
    expect(first?.system).toContain(SYSTEM_PROMPT.split('\n')[0])
    if (first) expectAgentToolsOffered(first, TOOLS, wire)
    expect(second?.problems).toEqual([])
    expect(second?.results[0]?.id).toBe(callId)

    const [child] = await stack.children(session.id)
    expect(child).toMatchObject({ agent_type: 'project_management', status: 'completed', request: PLAN })
    const outcome = second?.results[0]?.json as ChildOutcome
    expect(outcome).toMatchObject({
      step: 1,
      child_session_id: child?.id,
      agent_type: 'project_management',
      status: 'completed',
    })
    const proposals = await stack.server.db.asService((tx) =>
      tx
        .selectFrom('proposals')
        .select('id')
        .where('session_id', '=', child?.id ?? '')
        .execute(),
    )
    expect(outcome.proposals.map((p) => p.proposal_id)).toEqual(proposals.map((p) => p.id))
    expect(outcome.planned_work?.roles.length).toBeGreaterThan(0)
    expect(events.find((e) => e.type === 'child_session')?.data).toMatchObject({
      child_session_id: child?.id,
    })
    expect(session.agents_involved).toEqual(expect.arrayContaining(['orchestrator', 'project_management']))
  })

  it('returns a delegation of the wrong type to the model as a tool error, and carries on', async () => {
    const call = {
      name: DELEGATE_TOOL,
      input: { agent_type: 'project_management', step: 'one', request: PLAN },
    }
    const { session, requests, callId } = await run(provider, PLAN, call)
    const result = requests[1]?.results[0]
    expect(result?.id).toBe(callId)
    expect(result?.isError).toBe(wire === 'anthropic' || wire === 'bedrock' ? true : undefined)
    expect(result?.text).toMatch(/VALIDATION_FAILED: step: Invalid input: expected number, received string/)
    expect(session.status).toBe('completed')
    expect(await stack.children(session.id)).toEqual([])
  })
})
