import { Agent, type AgentResult, type AgentStreamEvent, type Model, tool } from '@strands-agents/sdk'
import { afterEach, describe, expect, it } from 'vitest'
import { z } from 'zod'
import { parseAgentModelEnv } from './config.js'
import { buildModel } from './factory.js'
import {
  type FakeServer,
  openAiChunk,
  openAiUsageChunk,
  type RecordedRequest,
  startFakeServer,
  untilClosed,
  writeAnthropicEvents,
  writeBedrockEvents,
  writeJson,
  writeOpenAiChunks,
} from './testing/fake-provider-server.js'

// Every provider is driven by a real Strands Agent against a loopback server speaking its protocol.

const looked: string[] = []
const lookupProject = tool({
  name: 'lookup_project',
  description: 'Look up a project by client name',
  inputSchema: z.object({ name: z.string() }),
  callback: ({ name }) => {
    looked.push(name)
    return { project: `${name} Website Rebuild`, health: 'green', burnPercent: 42 }
  },
})

let server: FakeServer | undefined
afterEach(async () => {
  await server?.close()
  server = undefined
  looked.length = 0
})

async function runAgent(model: Model, options: Parameters<Agent['stream']>[1] = {}) {
  const agent = new Agent({
    model,
    tools: [lookupProject],
    printer: false,
    systemPrompt: 'You are the PM agent.',
  })
  const events: AgentStreamEvent[] = []
  const stream = agent.stream('how is Acme doing?', options)
  let next = await stream.next()
  while (!next.done) {
    events.push(next.value)
    next = await stream.next()
  }
  return { agent, events, result: next.value as AgentResult }
}

const textOf = (result: AgentResult) =>
  result.lastMessage.content
    .filter((b) => b.type === 'textBlock')
    .map((b) => b.text)
    .join('')

const streamedText = (events: AgentStreamEvent[]) =>
  events
    .flatMap((e) =>
      e.type === 'modelStreamUpdateEvent' &&
      e.event.type === 'modelContentBlockDeltaEvent' &&
      e.event.delta.type === 'textDelta'
        ? [e.event.delta.text]
        : [],
    )
    .join('')

const usageOf = (events: AgentStreamEvent[]) =>
  events.flatMap((e) =>
    e.type === 'modelStreamUpdateEvent' && e.event.type === 'modelMetadataEvent' && e.event.usage
      ? [e.event.usage]
      : [],
  )

const body = (request: RecordedRequest | undefined) => request?.body as Record<string, unknown>

describe('openai provider (Chat Completions, any OpenAI-compatible server)', () => {
  const respond = (
    _request: RecordedRequest,
    res: Parameters<Parameters<typeof startFakeServer>[0]>[1],
    index: number,
  ) => {
    if (index === 0) {
      writeOpenAiChunks(res, [
        openAiChunk({ role: 'assistant', content: '' }),
        openAiChunk({ content: 'Let me ' }),
        openAiChunk({ content: 'look it up.' }),
        openAiChunk({
          tool_calls: [
            { index: 0, id: 'call_1', type: 'function', function: { name: 'lookup_project', arguments: '' } },
          ],
        }),
        openAiChunk({ tool_calls: [{ index: 0, function: { arguments: '{"name":' } }] }),
        openAiChunk({ tool_calls: [{ index: 0, function: { arguments: '"Acme"}' } }] }),
        openAiChunk({}, 'tool_calls'),
        openAiUsageChunk(120, 30),
      ])
    } else {
      writeOpenAiChunks(res, [
        openAiChunk({ role: 'assistant', content: '' }),
        openAiChunk({ content: 'Acme is green, ' }),
        openAiChunk({ content: '42% burnt.' }),
        openAiChunk({}, 'stop'),
        openAiUsageChunk(200, 12),
      ])
    }
  }

  it('streams text, runs the tool call and finishes, with the configured request', async () => {
    server = await startFakeServer(respond)
    const model = buildModel(
      parseAgentModelEnv({
        AGENT_MODEL_PROVIDER: 'openai',
        AGENT_MODEL_ID: 'llama3.1',
        OPENAI_BASE_URL: `${server.url}/v1`,
        AGENT_MODEL_MAX_TOKENS: '512',
        AGENT_MODEL_TEMPERATURE: '0.2',
      }),
    )
    const { events, result, agent } = await runAgent(model)
    expect(result.stopReason).toBe('endTurn')
    expect(textOf(result)).toBe('Acme is green, 42% burnt.')
    // SDK 1.19.0 quirk: with Chat Completions, text streamed before a tool call in the same response is
    // not kept in the assistant message (its block is only closed at finish_reason, after the tool block
    // reset the text). It is still streamed, which is what the runtime forwards.
    expect(agent.messages[1]?.content.map((b) => b.type)).toEqual(['toolUseBlock'])
    expect(looked).toEqual(['Acme'])
    expect(streamedText(events)).toBe('Let me look it up.Acme is green, 42% burnt.')
    expect(usageOf(events)).toEqual([
      { inputTokens: 120, outputTokens: 30, totalTokens: 150 },
      { inputTokens: 200, outputTokens: 12, totalTokens: 212 },
    ])

    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /v1/chat/completions',
      'POST /v1/chat/completions',
    ])
    expect(server.requests[0]?.headers.authorization).toBe('Bearer not-needed')
    const first = body(server.requests[0])
    expect(first).toMatchObject({
      model: 'llama3.1',
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0.2,
      max_completion_tokens: 512,
      messages: [
        { role: 'system', content: 'You are the PM agent.' },
        { role: 'user', content: [{ type: 'text', text: 'how is Acme doing?' }] },
      ],
    })
    expect(first.tools).toMatchObject([{ type: 'function', function: { name: 'lookup_project' } }])
    const second = body(server.requests[1]).messages as Record<string, unknown>[]
    expect(second.at(-2)).toMatchObject({
      role: 'assistant',
      tool_calls: [{ id: 'call_1', function: { name: 'lookup_project' } }],
    })
    expect(second.at(-1)).toMatchObject({ role: 'tool', tool_call_id: 'call_1' })
    expect(JSON.parse(String(second.at(-1)?.content))).toEqual({
      project: 'Acme Website Rebuild',
      health: 'green',
      burnPercent: 42,
    })
  })

  it('sends the API key to api.openai.com-style servers', async () => {
    server = await startFakeServer(respond)
    const model = buildModel(
      parseAgentModelEnv({
        AGENT_MODEL_PROVIDER: 'openai',
        AGENT_MODEL_ID: 'gpt-4.1',
        OPENAI_BASE_URL: `${server.url}/v1`,
        OPENAI_API_KEY: 'sk-test',
      }),
    )
    await runAgent(model)
    expect(server.requests[0]?.headers.authorization).toBe('Bearer sk-test')
  })

  it('aborts the HTTP stream when the agent is cancelled', async () => {
    const controller = new AbortController()
    server = await startFakeServer(async (_request, res) => {
      writeOpenAiChunks(res, [openAiChunk({ role: 'assistant', content: 'Thinking' })], { end: false })
      await untilClosed(res)
    })
    const model = buildModel(
      parseAgentModelEnv({
        AGENT_MODEL_PROVIDER: 'openai',
        AGENT_MODEL_ID: 'm',
        OPENAI_BASE_URL: `${server.url}/v1`,
      }),
    )
    const agent = new Agent({ model, tools: [lookupProject], printer: false })
    const stream = agent.stream('how is Acme doing?', { cancelSignal: controller.signal })
    let next = await stream.next()
    while (!next.done) {
      if (
        next.value.type === 'modelStreamUpdateEvent' &&
        next.value.event.type === 'modelContentBlockDeltaEvent'
      ) {
        controller.abort()
      }
      next = await stream.next()
    }
    expect(next.value.stopReason).toBe('cancelled')
    await expect.poll(() => server?.clientAborts).toBe(1)
  })

  it('surfaces a server error instead of hanging', async () => {
    server = await startFakeServer((_request, res) => {
      writeJson(res, 400, { error: { message: 'model "nope" not found', type: 'invalid_request_error' } })
    })
    const model = buildModel(
      parseAgentModelEnv({
        AGENT_MODEL_PROVIDER: 'openai',
        AGENT_MODEL_ID: 'nope',
        OPENAI_BASE_URL: `${server.url}/v1`,
        AGENT_MODEL_MAX_RETRIES: '0',
      }),
    )
    await expect(runAgent(model)).rejects.toThrow(/model "nope" not found/)
  })
})

describe('anthropic provider (Messages streaming)', () => {
  const message = (id: string) => ({
    id,
    type: 'message',
    role: 'assistant',
    content: [],
    model: 'claude-test',
    stop_reason: null,
    stop_sequence: null,
    usage: { input_tokens: 90, output_tokens: 1 },
  })

  it('streams text, runs the tool call and finishes, with the configured request', async () => {
    server = await startFakeServer((_request, res, index) => {
      if (index === 0) {
        writeAnthropicEvents(res, [
          { type: 'message_start', message: message('msg_1') } as Record<string, unknown> & { type: string },
          { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
          {
            type: 'content_block_delta',
            index: 0,
            delta: { type: 'text_delta', text: 'Let me look it up.' },
          },
          { type: 'content_block_stop', index: 0 },
          {
            type: 'content_block_start',
            index: 1,
            content_block: { type: 'tool_use', id: 'toolu_1', name: 'lookup_project', input: {} },
          },
          {
            type: 'content_block_delta',
            index: 1,
            delta: { type: 'input_json_delta', partial_json: '{"name": ' },
          },
          {
            type: 'content_block_delta',
            index: 1,
            delta: { type: 'input_json_delta', partial_json: '"Acme"}' },
          },
          { type: 'content_block_stop', index: 1 },
          {
            type: 'message_delta',
            delta: { stop_reason: 'tool_use', stop_sequence: null },
            usage: { output_tokens: 25 },
          },
          { type: 'message_stop' },
        ])
      } else {
        writeAnthropicEvents(res, [
          { type: 'message_start', message: message('msg_2') } as Record<string, unknown> & { type: string },
          { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
          { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Acme is green.' } },
          { type: 'content_block_stop', index: 0 },
          {
            type: 'message_delta',
            delta: { stop_reason: 'end_turn', stop_sequence: null },
            usage: { output_tokens: 6 },
          },
          { type: 'message_stop' },
        ])
      }
    })
    const model = buildModel(
      parseAgentModelEnv({
        AGENT_MODEL_PROVIDER: 'anthropic',
        AGENT_MODEL_ID: 'claude-test',
        ANTHROPIC_API_KEY: 'sk-ant-test',
        ANTHROPIC_BASE_URL: server.url,
        AGENT_MODEL_MAX_TOKENS: '1024',
      }),
    )
    const { events, result, agent } = await runAgent(model)
    expect(result.stopReason).toBe('endTurn')
    expect(textOf(result)).toBe('Acme is green.')
    expect(looked).toEqual(['Acme'])
    expect(streamedText(events)).toBe('Let me look it up.Acme is green.')
    expect(usageOf(events)).toEqual([
      { inputTokens: 90, outputTokens: 25, totalTokens: 115 },
      { inputTokens: 90, outputTokens: 6, totalTokens: 96 },
    ])
    // Anthropic keeps the text before a tool call in the same assistant message.
    expect(agent.messages[1]?.content.map((b) => b.type)).toEqual(['textBlock', 'toolUseBlock'])

    expect(server.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /v1/messages',
      'POST /v1/messages',
    ])
    expect(server.requests[0]?.headers['x-api-key']).toBe('sk-ant-test')
    expect(body(server.requests[0])).toMatchObject({
      model: 'claude-test',
      max_tokens: 1024,
      stream: true,
      tools: [{ name: 'lookup_project' }],
      messages: [{ role: 'user' }],
    })
    const second = body(server.requests[1]).messages as { role: string; content: { type: string }[] }[]
    expect(second.at(-1)?.content[0]).toMatchObject({ type: 'tool_result', tool_use_id: 'toolu_1' })
  })
  it('aborts the HTTP stream when the agent is cancelled, even while the server is silent', async () => {
    const controller = new AbortController()
    server = await startFakeServer(async (_request, res) => {
      writeAnthropicEvents(
        res,
        [
          { type: 'message_start', message: message('msg_3') } as Record<string, unknown> & { type: string },
          { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
          { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Thinking' } },
        ],
        { end: false },
      )
      await untilClosed(res)
    })
    const model = buildModel(
      parseAgentModelEnv({
        AGENT_MODEL_PROVIDER: 'anthropic',
        AGENT_MODEL_ID: 'claude-test',
        ANTHROPIC_API_KEY: 'sk-ant-test',
        ANTHROPIC_BASE_URL: server.url,
      }),
    )
    const agent = new Agent({ model, tools: [lookupProject], printer: false })
    const started = performance.now()
    const stream = agent.stream('how is Acme doing?', { cancelSignal: controller.signal })
    let next = await stream.next()
    while (!next.done) {
      if (
        next.value.type === 'modelStreamUpdateEvent' &&
        next.value.event.type === 'modelContentBlockDeltaEvent'
      ) {
        controller.abort()
      }
      next = await stream.next()
    }
    expect(next.value.stopReason).toBe('cancelled')
    expect(performance.now() - started).toBeLessThan(5_000)
    await expect.poll(() => server?.clientAborts).toBe(1)
  })
})

describe('bedrock provider (ConverseStream, binary event stream)', () => {
  const turns = [
    [
      { messageStart: { role: 'assistant' } },
      { contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'Let me look it up.' } } },
      { contentBlockStop: { contentBlockIndex: 0 } },
      {
        contentBlockStart: {
          contentBlockIndex: 1,
          start: { toolUse: { toolUseId: 'tooluse_1', name: 'lookup_project' } },
        },
      },
      { contentBlockDelta: { contentBlockIndex: 1, delta: { toolUse: { input: '{"name":"Acme"}' } } } },
      { contentBlockStop: { contentBlockIndex: 1 } },
      { messageStop: { stopReason: 'tool_use' } },
      {
        metadata: {
          usage: { inputTokens: 80, outputTokens: 20, totalTokens: 100 },
          metrics: { latencyMs: 5 },
        },
      },
    ],
    [
      { messageStart: { role: 'assistant' } },
      { contentBlockDelta: { contentBlockIndex: 0, delta: { text: 'Acme is green.' } } },
      { contentBlockStop: { contentBlockIndex: 0 } },
      { messageStop: { stopReason: 'end_turn' } },
      {
        metadata: {
          usage: { inputTokens: 110, outputTokens: 5, totalTokens: 115 },
          metrics: { latencyMs: 4 },
        },
      },
    ],
  ]

  it('signs with SigV4, decodes the event stream, runs the tool call and finishes', async () => {
    server = await startFakeServer((_request, res, index) => writeBedrockEvents(res, turns[index] ?? []), {
      http2: true,
    })
    const model = buildModel(
      parseAgentModelEnv({
        AGENT_MODEL_PROVIDER: 'bedrock',
        AGENT_MODEL_ID: 'anthropic.claude-test-v1:0',
        AWS_REGION: 'eu-west-1',
        AWS_ENDPOINT_URL_BEDROCK_RUNTIME: server.url,
        AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'secret-example',
        AGENT_MODEL_MAX_TOKENS: '700',
      }),
    )
    const { events, result } = await runAgent(model)
    expect(result.stopReason).toBe('endTurn')
    expect(textOf(result)).toBe('Acme is green.')
    expect(looked).toEqual(['Acme'])
    expect(streamedText(events)).toBe('Let me look it up.Acme is green.')
    expect(usageOf(events)).toEqual([
      { inputTokens: 80, outputTokens: 20, totalTokens: 100 },
      { inputTokens: 110, outputTokens: 5, totalTokens: 115 },
    ])

    expect(server.requests.map((r) => `${r.method} ${decodeURIComponent(r.path)}`)).toEqual([
      'POST /model/anthropic.claude-test-v1:0/converse-stream',
      'POST /model/anthropic.claude-test-v1:0/converse-stream',
    ])
    const auth = String(server.requests[0]?.headers.authorization)
    expect(auth).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/bedrock\/aws4_request/)
    expect(body(server.requests[0])).toMatchObject({
      inferenceConfig: { maxTokens: 700 },
      system: [{ text: 'You are the PM agent.' }],
      toolConfig: { tools: [{ toolSpec: { name: 'lookup_project' } }] },
    })
    const second = body(server.requests[1]).messages as { content: Record<string, unknown>[] }[]
    expect(second.at(-1)?.content[0]).toMatchObject({ toolResult: { toolUseId: 'tooluse_1' } })
  })

  it('uses a Bedrock API key as a bearer token when configured', async () => {
    server = await startFakeServer((_request, res, index) => writeBedrockEvents(res, turns[index] ?? []), {
      http2: true,
    })
    const model = buildModel(
      parseAgentModelEnv({
        AGENT_MODEL_PROVIDER: 'bedrock',
        AGENT_MODEL_ID: 'amazon.nova-test',
        AWS_REGION: 'us-east-1',
        AWS_ENDPOINT_URL_BEDROCK_RUNTIME: server.url,
        AWS_BEARER_TOKEN_BEDROCK: 'bedrock-api-key-test',
      }),
    )
    const { result } = await runAgent(model)
    expect(textOf(result)).toBe('Acme is green.')
    expect(server.requests[0]?.headers.authorization).toBe('Bearer bedrock-api-key-test')
  })
})
