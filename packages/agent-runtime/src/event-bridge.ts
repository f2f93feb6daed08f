import type { SessionEventBody } from '@psa/agent-pipeline'
import type { AgentStreamEvent, JSONValue, ToolResultBlock } from '@strands-agents/sdk'
import { ReasoningCoalescer, type ReasoningCoalescerOptions } from './reasoning-coalescer.js'
import {
  boundedJson,
  boundedObject,
  MAX_SUMMARY_CHARS,
  MAX_TOOL_INPUT_CHARS,
  MAX_TOOL_OUTPUT_CHARS,
  truncateText,
} from './text.js'

/** Where bridged events go: the session's event writer (sequenced, published, persisted). */
export type EmitEvent = (body: SessionEventBody) => Promise<unknown>

export interface ToolCallOutcome {
  name: string
  ok: boolean
  durationMs: number
}

function unwrapJson(json: JSONValue): JSONValue {
  // The SDK wraps array results as {$value: [...]}.
  if (
    json &&
    typeof json === 'object' &&
    !Array.isArray(json) &&
    Object.keys(json).length === 1 &&
    '$value' in json
  ) {
    return json.$value as JSONValue
  }
  return json
}

/** The tool's output as data, and a one-line summary for people watching the session. */
export function describeToolResult(result: ToolResultBlock): { output: unknown; summary: string } {
  const texts: string[] = []
  const jsons: JSONValue[] = []
  for (const item of result.content) {
    if (item.type === 'textBlock') texts.push(item.text)
    else if (item.type === 'jsonBlock') jsons.push(unwrapJson(item.json))
  }
  const text = texts.join('\n')
  if (result.status === 'error') {
    const message = text.replace(/^Error:\s*/, '') || 'the tool failed'
    return { output: null, summary: truncateText(message, MAX_SUMMARY_CHARS) }
  }
  const output = jsons.length === 1 ? jsons[0] : jsons.length > 1 ? jsons : text
  const summaryField =
    output && typeof output === 'object' && !Array.isArray(output)
      ? (output as { summary?: unknown }).summary
      : undefined
  const summary =
    typeof summaryField === 'string'
      ? summaryField
      : Array.isArray(output)
        ? `${output.length} item(s)`
        : typeof output === 'string'
          ? output
          : JSON.stringify(output)
  return {
    output: boundedJson(output, MAX_TOOL_OUTPUT_CHARS),
    summary: truncateText(summary, MAX_SUMMARY_CHARS),
  }
}

/**
 * Turns the Strands agent's stream into session events: coalesced reasoning text, tool calls with their
 * input and a result summary. Emission order is the order things happened (the event writer sequences
 * them); the first failure to emit is kept and rethrown, since a session whose events cannot be published
 * must not carry on silently.
 */
export class StrandsEventBridge {
  readonly #emit: EmitEvent
  readonly #coalescer: ReasoningCoalescer
  readonly #toolStarts = new Map<string, { name: string; started: number }>()
  readonly #onToolFinished: ((outcome: ToolCallOutcome) => void) | undefined
  #background: Promise<unknown> = Promise.resolve()
  #failure: unknown

  constructor(
    emit: EmitEvent,
    options: ReasoningCoalescerOptions & { onToolFinished?: (outcome: ToolCallOutcome) => void } = {},
  ) {
    this.#emit = emit
    this.#onToolFinished = options.onToolFinished
    this.#coalescer = new ReasoningCoalescer(
      (text) => this.#emitInBackground({ type: 'reasoning', data: { text } }),
      options,
    )
  }

  #emitInBackground(body: SessionEventBody): void {
    const emitted = this.#emit(body)
    this.#background = Promise.all([this.#background, emitted]).catch((err: unknown) => {
      this.#failure ??= err
    })
  }

  async #emitNow(body: SessionEventBody): Promise<void> {
    await this.#settleBackground()
    await this.#emit(body)
  }

  async #settleBackground(): Promise<void> {
    await this.#background
    if (this.#failure !== undefined) throw this.#failure
  }

  async handle(event: AgentStreamEvent): Promise<void> {
    switch (event.type) {
      case 'modelStreamUpdateEvent': {
        const inner = event.event
        if (inner.type === 'modelContentBlockDeltaEvent') {
          const delta = inner.delta
          if (delta.type === 'textDelta') this.#coalescer.push(delta.text)
          else if (delta.type === 'reasoningContentDelta' && delta.text) this.#coalescer.push(delta.text)
        } else if (inner.type === 'modelMessageStopEvent') {
          this.#coalescer.endMessage()
        }
        break
      }
      case 'beforeToolCallEvent': {
        this.#coalescer.flush()
        const { toolUseId, name, input } = event.toolUse
        this.#toolStarts.set(toolUseId, { name, started: performance.now() })
        await this.#emitNow({
          type: 'tool_call_started',
          data: { tool_use_id: toolUseId, name, input: boundedObject(input, MAX_TOOL_INPUT_CHARS) },
        })
        break
      }
      case 'afterToolCallEvent': {
        const { toolUseId, name } = event.toolUse
        const start = this.#toolStarts.get(toolUseId)
        this.#toolStarts.delete(toolUseId)
        const durationMs = start ? Math.round(performance.now() - start.started) : 0
        const { output, summary } = describeToolResult(event.result)
        const ok = event.result.status === 'success'
        this.#onToolFinished?.({ name, ok, durationMs })
        await this.#emitNow({
          type: 'tool_call_finished',
          data: { tool_use_id: toolUseId, name, ok, summary, output, duration_ms: durationMs },
        })
        break
      }
      default:
        break
    }
    await this.#settleBackground()
  }

  /** Emits an event in order with the bridged ones (proposals created by tools, status changes). */
  emit(body: SessionEventBody): Promise<void> {
    this.#coalescer.flush()
    return this.#emitNow(body)
  }

  /** Sends any reasoning still buffered and waits until everything emitted so far is published. */
  async finish(): Promise<void> {
    this.#coalescer.endMessage()
    this.#coalescer.dispose()
    await this.#settleBackground()
  }

  dispose(): void {
    this.#coalescer.dispose()
  }
}
