// Test support: an agent's worker driven by a real provider's SDK (OpenAI Chat Completions and Responses,
// Anthropic Messages, Bedrock ConverseStream) against a loopback server that plays a scripted model. The
// model calls one of the agent's tools on its first turn and answers on its second, so a test sees the
// whole round trip a real model makes: the tool definitions as sent, the real tool running on real data, and
// the result coming back in the provider's own shape. Not used in production code.
import { buildModel, parseAgentModelEnv } from '@psa/agent-models'
import {
  acceptsInput,
  type ConversationRequest,
  type ConversationResult,
  PROVIDER_WIRES,
  type ProviderWire,
  publishedToolProblems,
  type ScriptedProvider,
  type ScriptedToolCall,
  startScriptedProvider,
} from '@psa/agent-models/testing'
import type { SessionEventEnvelope } from '@psa/agent-pipeline'
import type { TenantUser } from '@psa/test-kit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { z } from 'zod'
import type { AgentDefinition } from './session-processor.js'
import { type AgentHarness, type AgentRun, startAgentHarness } from './testing.js'
import { type AgentTool, publishedInputSchema } from './tools.js'

export interface ProviderCase {
  title: string
  request: string
  context?: Record<string, unknown>
  /** The tool call the scripted model makes on its first turn (valid input for the tool); a function is
   * called when the test runs (for ids read from the database). */
  call: ScriptedToolCall | (() => ScriptedToolCall | Promise<ScriptedToolCall>)
  /** Checks the tool's real output, as the model received it. */
  expectOutput(output: Record<string, unknown>): void | Promise<void>
}

export interface ProviderSuiteOptions {
  agent: AgentDefinition
  /** The user the requests are submitted as (resolved when the tests run). */
  user: () => TenantUser
  /** False skips the cases (e.g. the demo data is not loaded). */
  ready?: () => boolean
  cases: ProviderCase[]
  /** A call whose input has the wrong type for the tool's schema, naming the field that is wrong. */
  badInput: ScriptedToolCall & { field: string }
  wires?: readonly ProviderWire[]
}

export interface ProviderRun extends AgentRun {
  requests: ConversationRequest[]
  callId: string
  result: ConversationResult
}

const kinds = (events: SessionEventEnvelope[]) =>
  events.map((e) => (e.type === 'status_changed' ? `status:${e.data.status}` : e.type))

/** Whether `expected` appears in `actual` in order (other events may come between). */
function inOrder(actual: string[], expected: string[]): boolean {
  let i = 0
  for (const kind of actual) if (kind === expected[i]) i++
  return i === expected.length
}

const publishedSchema = (schema: z.ZodType) => publishedInputSchema(schema) as Record<string, unknown>

/** Every tool of the agent, with its own description and JSON schema, in the provider's format. */
export function expectAgentToolsOffered(
  request: ConversationRequest,
  tools: readonly Pick<AgentTool, 'name' | 'description' | 'inputSchema'>[],
  wire: ProviderWire,
): void {
  expect(request.tools.map((t) => t.name)).toEqual(tools.map((t) => t.name))
  for (const definition of tools) {
    const sent = request.tools.find((t) => t.name === definition.name)
    expect(sent?.description, definition.name).toBe(definition.description)
    expect(sent?.schema, definition.name).toEqual(publishedSchema(definition.inputSchema))
    expect(publishedToolProblems(wire, sent ?? { name: '', description: '', schema: {} })).toEqual([])
  }
}

/** Runs a request through a scripted model that makes `call` first and then answers from its result. */
async function runScripted(
  h: AgentHarness,
  provider: ScriptedProvider,
  user: TenantUser,
  request: string,
  call: ScriptedToolCall,
  context?: Record<string, unknown>,
): Promise<ProviderRun> {
  const before = provider.requests.length
  provider.play((req, turn) => {
    if (turn === 0) return { text: 'Let me look that up.', toolCalls: [call] }
    const last = req.results[0]
    const summary = last?.isError || !last?.json ? last?.text : (last.json as { summary?: string }).summary
    return { text: `Here is what I found: ${summary}\n<result>{"tool":"${call.name}"}</result>` }
  })
  const run = await h.run(user, request, context)
  const requests = provider.requests.slice(before)
  const callId = provider.issuedCallIds.at(-1) ?? ''
  const result = requests[1]?.results[0]
  if (!result) throw new Error(`the model got no tool result back (${requests.length} request(s))`)
  return { ...run, requests, callId, result }
}

/**
 * One describe per provider wire: each case runs as a session through the agent's worker, whose model is
 * that provider's SDK client pointed at the scripted fake; then a call with input of the wrong type must
 * come back to the model as a tool error, and the session still complete.
 */
export function describeProviderRoundTrips(options: ProviderSuiteOptions): void {
  const { agent } = options
  describe.each(options.wires ?? PROVIDER_WIRES)(`${agent.agentType} agent on %s`, (wire) => {
    let provider: ScriptedProvider
    let h: AgentHarness
    beforeAll(async () => {
      provider = await startScriptedProvider(wire)
      h = await startAgentHarness({ agent, model: buildModel(parseAgentModelEnv(provider.env)) })
    })
    afterAll(async () => {
      await h?.stop()
      await provider?.close()
    })

    it.for(options.cases)('$title', async (testCase, context) => {
      if (options.ready && !options.ready()) context.skip()
      const c = {
        ...testCase,
        call: typeof testCase.call === 'function' ? await testCase.call() : testCase.call,
      }
      const published = agent.tools.find((t) => t.name === c.call.name)
      expect(published, `${agent.agentType} has no tool ${c.call.name}`).toBeDefined()
      const run = await runScripted(h, provider, options.user(), c.request, c.call, c.context)
      const [first, second] = run.requests
      expect(run.requests).toHaveLength(2)
      if (!first || !second) return

      // What the provider was sent: the agent's instructions, the request, every tool well described.
      expect(first.system).toContain(agent.systemPrompt.split('\n')[0])
      expect(first.userText).toContain(c.request)
      expectAgentToolsOffered(first, agent.tools, wire)
      expect(second.tools).toEqual(first.tools)
      const spec = first.tools.find((t) => t.name === c.call.name)
      if (spec) expect(acceptsInput(spec, c.call.input)).toBeNull()

      // The tool result came back answering the call, in the provider's shape, as the real tool's output.
      expect(second.problems).toEqual([])
      expect(second.calls.at(-1)).toEqual({ id: run.callId, name: c.call.name, input: c.call.input })
      expect(run.result.id).toBe(run.callId)
      expect(run.result.isError).not.toBe(true)
      const output = run.result.json as Record<string, unknown>
      expect(output, run.result.text).toBeTypeOf('object')

      const { session, events } = run
      expect(session.status, JSON.stringify(session.error)).toBe('completed')
      const order = ['status:queued', 'status:processing', 'tool_call_started', 'tool_call_finished']
      expect(inOrder(kinds(events), [...order, 'final_result', 'status:completed'])).toBe(true)
      expect(events.find((e) => e.type === 'tool_call_started')?.data).toMatchObject({
        tool_use_id: run.callId,
        name: c.call.name,
        input: c.call.input as Record<string, unknown>,
      })
      expect(events.find((e) => e.type === 'tool_call_finished')?.data).toMatchObject({
        tool_use_id: run.callId,
        name: c.call.name,
        ok: true,
        summary: output.summary,
      })
      expect(session.result).toMatchObject({ tool: c.call.name })
      expect(String((session.result as { summary: string }).summary)).toContain(String(output.summary))
      expect(session.input_tokens).toBe(240)
      await c.expectOutput(output)
    })

    it('returns input of the wrong type to the model as a tool error, and carries on', async (context) => {
      if (options.ready && !options.ready()) context.skip()
      const { field, ...call } = options.badInput
      const definition = agent.tools.find((t) => t.name === call.name)
      expect(definition, `${agent.agentType} has no tool ${call.name}`).toBeDefined()
      if (definition) {
        const spec = { name: call.name, description: '', schema: publishedSchema(definition.inputSchema) }
        expect(acceptsInput(spec, call.input)).not.toBeNull()
      }
      const run = await runScripted(h, provider, options.user(), 'Check this for me', call)
      expect(run.requests[1]?.problems).toEqual([])
      expect(run.result.id).toBe(run.callId)
      // Anthropic and Bedrock carry an error flag; OpenAI's formats carry the error in the text alone.
      expect(run.result.isError).toBe(wire === 'anthropic' || wire === 'bedrock' ? true : undefined)
      // The refusal names the field and what is wrong with it, as every tool refusal is worded.
      expect(run.result.text).toMatch(new RegExp(`VALIDATION_FAILED: (.*; )?${field}: Invalid input`))
      expect(run.session.status).toBe('completed')
      expect(run.events.find((e) => e.type === 'tool_call_finished')?.data).toMatchObject({
        tool_use_id: run.callId,
        ok: false,
      })
    })
  })
}
