import {
  type FakeResponse,
  type FakeServer,
  openAiChunk,
  openAiUsageChunk,
  type RecordedRequest,
  startFakeServer,
  writeAnthropicEvents,
  writeBedrockEvents,
  writeOpenAiChunks,
} from './fake-provider-server.js'
import { type ConversationRequest, readConversationRequest } from './wire-requests.js'

/**
 * A loopback fake of a model provider that plays a scripted model: each request it receives is read back
 * into provider-neutral terms (the tools it was offered, the tool calls and results of the conversation) and
 * answered, in that provider's real streaming wire format, with the turn the script returns for it. Tests
 * use it to drive a real agent worker through a provider SDK exactly as a real model would. Test support only.
 */

/** The wire formats an agent can be configured for (`openai-responses` is OPENAI_API=responses). */
export const PROVIDER_WIRES = ['openai', 'openai-responses', 'anthropic', 'bedrock'] as const
export type ProviderWire = (typeof PROVIDER_WIRES)[number]

export interface ScriptedToolCall {
  name: string
  /** Sent as is: a test may send input the tool's schema refuses, as a model sometimes does. */
  input: unknown
}

/** What the scripted model answers: text, tool calls, or text followed by tool calls. */
export interface ScriptedTurn {
  text?: string
  toolCalls?: ScriptedToolCall[]
}

export type Script = (request: ConversationRequest, turn: number) => ScriptedTurn

export interface ScriptedProvider {
  wire: ProviderWire
  server: FakeServer
  /** The AGENT_MODEL_* / provider settings that point an agent at this server. */
  env: Record<string, string>
  /** Every request, read back (in order); `raw` holds the bodies as received. */
  requests: ConversationRequest[]
  raw: RecordedRequest[]
  /** The tool call ids this server has issued, in order (each wire has its own id style). */
  issuedCallIds: string[]
  /** Replaces the script (turn numbers restart at 0 with the next request). */
  play(script: Script): void
  close(): Promise<void>
}

const USAGE = { input: 120, output: 30 }

export async function startScriptedProvider(
  wire: ProviderWire,
  initial: Script = () => ({ text: 'No script.' }),
): Promise<ScriptedProvider> {
  let script = initial
  let turnBase = 0
  const requests: ConversationRequest[] = []
  const issuedCallIds: string[] = []
  const server = await startFakeServer(
    (raw, res, index) => {
      const request = readConversationRequest(wire, raw)
      requests.push(request)
      const turn = script(request, index - turnBase)
      const ids = (turn.toolCalls ?? []).map((_, i) => `${CALL_ID_PREFIX[wire]}${index}_${i}`)
      issuedCallIds.push(...ids)
      WRITERS[wire](res, turn, ids, index)
    },
    { http2: wire === 'bedrock' },
  )
  return {
    wire,
    server,
    env: providerEnv(wire, server.url),
    requests,
    raw: server.requests,
    issuedCallIds,
    play(next) {
      script = next
      turnBase = server.requests.length
    },
    close: () => server.close(),
  }
}

/** Each provider's own id style, so a test sees ids travel through its real format. */
const CALL_ID_PREFIX: Record<ProviderWire, string> = {
  openai: 'call_',
  'openai-responses': 'call_r',
  anthropic: 'toolu_',
  bedrock: 'tooluse_',
}

export function providerEnv(wire: ProviderWire, url: string): Record<string, string> {
  const common = { AGENT_MODEL_MAX_RETRIES: '0', AGENT_MODEL_TIMEOUT_MS: '20000' }
  switch (wire) {
    case 'openai':
    case 'openai-responses':
      return {
        ...common,
        AGENT_MODEL_PROVIDER: 'openai',
        AGENT_MODEL_ID: 'gpt-test',
        OPENAI_BASE_URL: `${url}/v1`,
        OPENAI_API_KEY: 'sk-test',
        OPENAI_API: wire === 'openai' ? 'chat' : 'responses',
      }
    case 'anthropic':
      return {
        ...common,
        AGENT_MODEL_PROVIDER: 'anthropic',
        AGENT_MODEL_ID: 'claude-test',
        ANTHROPIC_API_KEY: 'sk-ant-test',
        ANTHROPIC_BASE_URL: url,
      }
    case 'bedrock':
      return {
        ...common,
        // An Anthropic model id: the SDK then sends tool results with their status, as for Claude on Bedrock.
        AGENT_MODEL_PROVIDER: 'bedrock',
        AGENT_MODEL_ID: 'anthropic.claude-test-v1:0',
        AWS_REGION: 'eu-west-1',
        AWS_ENDPOINT_URL_BEDROCK_RUNTIME: url,
        AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'secret-example',
      }
  }
}

type Writer = (res: FakeResponse, turn: ScriptedTurn, ids: string[], index: number) => void

const args = (input: unknown) => JSON.stringify(input ?? {})

/** Splits text into a few deltas, as models stream it. */
function pieces(text: string): string[] {
  const size = Math.max(1, Math.ceil(text.length / 3))
  const out: string[] = []
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size))
  return out
}

const WRITERS: Record<ProviderWire, Writer> = {
  openai(res, turn, ids) {
    const calls = turn.toolCalls ?? []
    writeOpenAiChunks(res, [
      openAiChunk({ role: 'assistant', content: '' }),
      ...pieces(turn.text ?? '').map((content) => openAiChunk({ content })),
      ...calls.flatMap((call, i) => [
        openAiChunk({
          tool_calls: [
            { index: i, id: ids[i], type: 'function', function: { name: call.name, arguments: '' } },
          ],
        }),
        openAiChunk({ tool_calls: [{ index: i, function: { arguments: args(call.input) } }] }),
      ]),
      openAiChunk({}, calls.length > 0 ? 'tool_calls' : 'stop'),
      openAiUsageChunk(USAGE.input, USAGE.output),
    ])
  },

  'openai-responses'(res, turn, ids, index) {
    const calls = turn.toolCalls ?? []
    const response = { id: `resp_${index}`, object: 'response', model: 'gpt-test', output: [] }
    const text = turn.text ?? ''
    const events = [
      { type: 'response.created', sequence_number: 0, response: { ...response, status: 'in_progress' } },
      ...pieces(text).map((delta) => ({
        type: 'response.output_text.delta',
        item_id: `msg_${index}`,
        output_index: 0,
        content_index: 0,
        delta,
      })),
      ...calls.flatMap((call, i) => {
        const item = { type: 'function_call', id: `fc_${index}_${i}`, call_id: ids[i], name: call.name }
        return [
          { type: 'response.output_item.added', output_index: i + 1, item: { ...item, arguments: '' } },
          {
            type: 'response.function_call_arguments.delta',
            item_id: item.id,
            output_index: i + 1,
            delta: args(call.input),
          },
          {
            type: 'response.function_call_arguments.done',
            item_id: item.id,
            output_index: i + 1,
            arguments: args(call.input),
          },
        ]
      }),
      {
        type: 'response.completed',
        response: {
          ...response,
          status: 'completed',
          usage: {
            input_tokens: USAGE.input,
            output_tokens: USAGE.output,
            total_tokens: USAGE.input + USAGE.output,
          },
        },
      },
    ]
    writeAnthropicEvents(res, events) // the same `event:` + `data:` SSE framing
  },

  anthropic(res, turn, ids, index) {
    const calls = turn.toolCalls ?? []
    const textBlocks = turn.text ? 1 : 0
    writeAnthropicEvents(res, [
      {
        type: 'message_start',
        message: {
          id: `msg_${index}`,
          type: 'message',
          role: 'assistant',
          content: [],
          model: 'claude-test',
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: USAGE.input, output_tokens: 1 },
        },
      },
      ...(turn.text
        ? [
            { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
            ...pieces(turn.text).map((text) => ({
              type: 'content_block_delta',
              index: 0,
              delta: { type: 'text_delta', text },
            })),
            { type: 'content_block_stop', index: 0 },
          ]
        : []),
      ...calls.flatMap((call, i) => [
        {
          type: 'content_block_start',
          index: textBlocks + i,
          content_block: { type: 'tool_use', id: ids[i], name: call.name, input: {} },
        },
        {
          type: 'content_block_delta',
          index: textBlocks + i,
          delta: { type: 'input_json_delta', partial_json: args(call.input) },
        },
        { type: 'content_block_stop', index: textBlocks + i },
      ]),
      {
        type: 'message_delta',
        delta: { stop_reason: calls.length > 0 ? 'tool_use' : 'end_turn', stop_sequence: null },
        usage: { output_tokens: USAGE.output },
      },
      { type: 'message_stop' },
    ])
  },

  bedrock(res, turn, ids) {
    const calls = turn.toolCalls ?? []
    const textBlocks = turn.text ? 1 : 0
    writeBedrockEvents(res, [
      { messageStart: { role: 'assistant' } },
      ...(turn.text
        ? [
            ...pieces(turn.text).map((text) => ({
              contentBlockDelta: { contentBlockIndex: 0, delta: { text } },
            })),
            { contentBlockStop: { contentBlockIndex: 0 } },
          ]
        : []),
      ...calls.flatMap((call, i) => [
        {
          contentBlockStart: {
            contentBlockIndex: textBlocks + i,
            start: { toolUse: { toolUseId: ids[i], name: call.name } },
          },
        },
        {
          contentBlockDelta: {
            contentBlockIndex: textBlocks + i,
            delta: { toolUse: { input: args(call.input) } },
          },
        },
        { contentBlockStop: { contentBlockIndex: textBlocks + i } },
      ]),
      { messageStop: { stopReason: calls.length > 0 ? 'tool_use' : 'end_turn' } },
      {
        metadata: {
          usage: {
            inputTokens: USAGE.input,
            outputTokens: USAGE.output,
            totalTokens: USAGE.input + USAGE.output,
          },
          metrics: { latencyMs: 3 },
        },
      },
    ])
  },
}
