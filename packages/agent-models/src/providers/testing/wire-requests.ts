import type { RecordedRequest } from './fake-provider-server.js'
import type { ProviderWire } from './scripted-provider.js'

/**
 * A provider request read back into provider-neutral terms, with what is wrong with its shape for that
 * provider (a tool result whose id matches no call of the message before it, a result outside the message
 * the provider wants it in). Test support only.
 */
export interface ConversationRequest {
  wire: ProviderWire
  /** The tools offered, as that provider's format carries them. */
  tools: PublishedTool[]
  system: string
  /** The first user message's text (the request and its context block). */
  userText: string
  /** Every tool call of the conversation's assistant messages, oldest first. */
  calls: ConversationCall[]
  /** The tool results the request answers the latest assistant message with. */
  results: ConversationResult[]
  /** How the request breaks that provider's rules for tool calls and results; empty when it is well formed. */
  problems: string[]
}

export interface PublishedTool {
  name: string
  description: string
  schema: Record<string, unknown>
}

export interface ConversationCall {
  id: string
  name: string
  input: unknown
}

export interface ConversationResult {
  /** The call id it answers (tool_call_id, call_id, tool_use_id, toolUseId). */
  id: string
  /** The result as text, as the model reads it. */
  text: string
  /** The result parsed as JSON, when it is JSON. */
  json: unknown
  /** The provider's error flag, where its format has one (Anthropic is_error, Bedrock status). */
  isError: boolean | undefined
}

type Json = Record<string, unknown>
const asArray = (v: unknown): Json[] => (Array.isArray(v) ? (v as Json[]) : [])
const str = (v: unknown): string => (typeof v === 'string' ? v : '')

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content
  return asArray(content)
    .map((part) => (typeof part.text === 'string' ? part.text : part.json ? JSON.stringify(part.json) : ''))
    .join('')
}

function result(id: string, content: unknown, isError: boolean | undefined): ConversationResult {
  const jsonPart = asArray(content).find((p) => p.json !== undefined)
  const text = textOf(content)
  return { id, text, json: jsonPart ? jsonPart.json : parseJson(text), isError }
}

/** Results must answer calls of the assistant message right before them, one result per call. */
function pairingProblems(callsBefore: ConversationCall[], results: ConversationResult[]): string[] {
  const problems: string[] = []
  const callIds = new Set(callsBefore.map((c) => c.id))
  for (const r of results)
    if (!callIds.has(r.id)) problems.push(`tool result ${r.id} answers no call of the message before it`)
  for (const c of callsBefore)
    if (!results.some((r) => r.id === c.id)) problems.push(`tool call ${c.id} (${c.name}) has no result`)
  return problems
}

function openAiChat(body: Json): Omit<ConversationRequest, 'wire'> {
  const messages = asArray(body.messages)
  const calls: ConversationCall[] = []
  let lastCalls: ConversationCall[] = []
  for (const m of messages) {
    if (m.role !== 'assistant') continue
    lastCalls = asArray(m.tool_calls).map((c) => {
      const fn = (c.function ?? {}) as Json
      return { id: str(c.id), name: str(fn.name), input: parseJson(str(fn.arguments)) }
    })
    calls.push(...lastCalls)
  }
  const lastAssistant = messages.findLastIndex((m) => m.role === 'assistant')
  const results =
    lastAssistant < 0
      ? []
      : messages
          .slice(lastAssistant + 1)
          .filter((m) => m.role === 'tool')
          .map((m) => result(str(m.tool_call_id), m.content, undefined))
  return {
    tools: asArray(body.tools).map((t) => {
      const fn = (t.function ?? {}) as Json
      return {
        name: t.type === 'function' ? str(fn.name) : `(not a function tool: ${String(t.type)})`,
        description: str(fn.description),
        schema: (fn.parameters ?? {}) as Json,
      }
    }),
    system: textOf(messages.find((m) => m.role === 'system')?.content),
    userText: textOf(messages.find((m) => m.role === 'user')?.content),
    calls,
    results,
    problems: lastAssistant < 0 ? [] : pairingProblems(lastCalls, results),
  }
}

function openAiResponses(body: Json): Omit<ConversationRequest, 'wire'> {
  const input = asArray(body.input)
  const calls = input
    .filter((i) => i.type === 'function_call')
    .map((i) => ({ id: str(i.call_id), name: str(i.name), input: parseJson(str(i.arguments)) }))
  // The latest turn's calls are the function_call items after the last message item.
  const lastMessage = input.findLastIndex(
    (i) => i.type !== 'function_call' && i.type !== 'function_call_output',
  )
  const tail = input.slice(lastMessage + 1)
  const lastCalls = tail
    .filter((i) => i.type === 'function_call')
    .map((i) => ({ id: str(i.call_id), name: str(i.name), input: parseJson(str(i.arguments)) }))
  const results = tail
    .filter((i) => i.type === 'function_call_output')
    .map((i) => result(str(i.call_id), i.output, undefined))
  return {
    tools: asArray(body.tools).map((t) => ({
      name: t.type === 'function' ? str(t.name) : `(not a function tool: ${String(t.type)})`,
      description: str(t.description),
      schema: (t.parameters ?? {}) as Json,
    })),
    system: str(body.instructions),
    userText: textOf(input.find((i) => i.role === 'user')?.content),
    calls,
    results,
    problems: pairingProblems(lastCalls, results),
  }
}

function anthropic(body: Json): Omit<ConversationRequest, 'wire'> {
  const messages = asArray(body.messages)
  const callsOf = (m: Json | undefined) =>
    asArray(m?.content)
      .filter((b) => b.type === 'tool_use')
      .map((b) => ({ id: str(b.id), name: str(b.name), input: b.input }))
  const calls = messages.filter((m) => m.role === 'assistant').flatMap(callsOf)
  const last = messages.at(-1)
  const results = asArray(last?.content)
    .filter((b) => b.type === 'tool_result')
    .map((b) => result(str(b.tool_use_id), b.content, b.is_error === true))
  const problems = results.length > 0 ? pairingProblems(callsOf(messages.at(-2)), results) : []
  if (results.length > 0 && last?.role !== 'user') problems.push('tool results are not in a user message')
  return {
    tools: asArray(body.tools).map((t) => ({
      name: str(t.name),
      description: str(t.description),
      schema: (t.input_schema ?? {}) as Json,
    })),
    system: textOf(body.system),
    userText: textOf(messages.find((m) => m.role === 'user')?.content),
    calls,
    results,
    problems,
  }
}

function bedrock(body: Json): Omit<ConversationRequest, 'wire'> {
  const messages = asArray(body.messages)
  const callsOf = (m: Json | undefined) =>
    asArray(m?.content)
      .map((b) => b.toolUse as Json | undefined)
      .filter((u): u is Json => u !== undefined)
      .map((u) => ({ id: str(u.toolUseId), name: str(u.name), input: u.input }))
  const calls = messages.filter((m) => m.role === 'assistant').flatMap(callsOf)
  const last = messages.at(-1)
  const results = asArray(last?.content)
    .map((b) => b.toolResult as Json | undefined)
    .filter((r): r is Json => r !== undefined)
    .map((r) =>
      result(str(r.toolUseId), r.content, r.status === undefined ? undefined : r.status === 'error'),
    )
  const problems = results.length > 0 ? pairingProblems(callsOf(messages.at(-2)), results) : []
  if (results.length > 0 && last?.role !== 'user') problems.push('tool results are not in a user message')
  const toolConfig = (body.toolConfig ?? {}) as Json
  return {
    tools: asArray(toolConfig.tools).map((t) => {
      const spec = (t.toolSpec ?? {}) as Json
      return {
        name: str(spec.name),
        description: str(spec.description),
        schema: ((spec.inputSchema as Json | undefined)?.json ?? {}) as Json,
      }
    }),
    system: asArray(body.system)
      .map((s) => str(s.text))
      .join(''),
    userText: textOf(messages.find((m) => m.role === 'user')?.content),
    calls,
    results,
    problems,
  }
}

const READERS: Record<ProviderWire, (body: Json) => Omit<ConversationRequest, 'wire'>> = {
  openai: openAiChat,
  'openai-responses': openAiResponses,
  anthropic,
  bedrock,
}

export function readConversationRequest(wire: ProviderWire, raw: RecordedRequest): ConversationRequest {
  const body = (raw.body && typeof raw.body === 'object' ? raw.body : {}) as Json
  return { wire, ...READERS[wire](body) }
}
