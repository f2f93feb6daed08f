import type { JSONValue, Message, ToolResultBlock, ToolUseBlock } from '@strands-agents/sdk'
import { type ParsedUserMessage, parseUserMessage } from '../message-format.js'
import type { PlaybookStep, ToolCallRecord } from './playbook.js'

export interface ConversationState {
  message: ParsedUserMessage
  steps: PlaybookStep[]
  /** Assistant turns in the whole conversation; keeps generated tool-use ids unique across requests. */
  assistantTurns: number
}

function isRequestMessage(message: Message): boolean {
  return (
    message.role === 'user' &&
    message.content.some((b) => b.type === 'textBlock') &&
    !message.content.some((b) => b.type === 'toolResultBlock')
  )
}

function resultOf(block: ToolResultBlock): { output: JSONValue | null; text: string } {
  const texts: string[] = []
  const jsons: JSONValue[] = []
  for (const item of block.content) {
    if (item.type === 'textBlock') texts.push(item.text)
    else if (item.type === 'jsonBlock') jsons.push(item.json)
  }
  const text = texts.join('\n')
  if (block.status === 'error') return { output: null, text: text || JSON.stringify(jsons[0] ?? null) }
  if (jsons.length === 1) {
    const json = jsons[0] as JSONValue
    // The SDK wraps array results as {$value: [...]}.
    const unwrapped =
      json &&
      typeof json === 'object' &&
      !Array.isArray(json) &&
      Object.keys(json).length === 1 &&
      '$value' in json
        ? (json.$value as JSONValue)
        : json
    return { output: unwrapped, text: text || JSON.stringify(unwrapped) }
  }
  try {
    return { output: JSON.parse(text) as JSONValue, text }
  } catch {
    return { output: null, text }
  }
}

/**
 * Reads the current request (the last user text message) and the tool steps taken since. `parse` reads the
 * request message (the offline model passes a cached `parseUserMessage`: the message is the same every turn).
 */
export function readConversation(
  messages: readonly Message[],
  parse: (text: string) => ParsedUserMessage = parseUserMessage,
): ConversationState {
  const assistantTurns = messages.filter((m) => m.role === 'assistant').length
  let requestIndex = -1
  for (let i = messages.length - 1; i >= 0; i--) {
    if (isRequestMessage(messages[i] as Message)) {
      requestIndex = i
      break
    }
  }
  const requestMessage = messages[requestIndex]
  const text = requestMessage
    ? requestMessage.content
        .filter((b) => b.type === 'textBlock')
        .map((b) => b.text)
        .join('\n')
    : ''
  const steps: PlaybookStep[] = []
  const byId = new Map<string, ToolCallRecord>()
  for (const message of messages.slice(requestIndex + 1)) {
    if (message.role === 'assistant') {
      const reasoning = message.content
        .filter((b) => b.type === 'textBlock')
        .map((b) => b.text)
        .join('\n')
      const calls = message.content
        .filter((b): b is ToolUseBlock => b.type === 'toolUseBlock')
        .map(
          (b): ToolCallRecord => ({
            toolUseId: b.toolUseId,
            name: b.name,
            input: b.input,
            status: 'pending',
            output: null,
            text: '',
          }),
        )
      for (const call of calls) byId.set(call.toolUseId, call)
      if (calls.length > 0) steps.push({ reasoning, calls })
    } else {
      for (const block of message.content) {
        if (block.type !== 'toolResultBlock') continue
        const call = byId.get(block.toolUseId)
        if (!call) continue
        const { output, text: resultText } = resultOf(block)
        call.status = block.status
        call.output = output
        call.text = resultText
      }
    }
  }
  return { message: parse(text), steps, assistantTurns }
}
