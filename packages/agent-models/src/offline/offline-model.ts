import { setTimeout as sleep } from 'node:timers/promises'
import {
  type BaseModelConfig,
  type JSONValue,
  type Message,
  Model,
  type ModelStreamEvent,
  type StreamOptions,
  type ToolSpec,
} from '@strands-agents/sdk'
import { type ParsedUserMessage, parseUserMessage } from '../message-format.js'
import { describeGaps, describeUnderstanding } from '../understanding/describe.js'
import { agentTypeSchema, type Understanding } from '../understanding/schema.js'
import { understandValidated } from '../understanding/understand.js'
import { warmUpUnderstanding } from '../understanding/warm-up.js'
import { readConversation } from './conversation.js'
import { defaultPlaybook } from './default-playbook.js'
import {
  type Playbook,
  type PlaybookDecision,
  type PlaybookInput,
  playbookDecisionSchema,
} from './playbook.js'
import { formatResultBlock } from './result-block.js'
import { checkToolInput } from './tool-input-validation.js'

export interface OfflineModelConfig extends BaseModelConfig {
  /** Largest piece of text per streamed delta; text is split on word boundaries. Default 32. */
  chunkSize?: number
  /** Pause between deltas, to make a demo feel live. Default 0. Never affects what is produced. */
  chunkDelayMs?: number
  /** Tool steps per request before the model gives up with an explanation. Default 12. */
  maxSteps?: number
}

export interface OfflineModelOptions extends OfflineModelConfig {
  /** Playbooks by agent type (the `agentType` in the user message). */
  playbooks?: Record<string, Playbook>
  /** For requests whose agent has no playbook. */
  fallbackPlaybook?: Playbook
}

/** What the model does in one turn, before it is streamed. */
export type OfflineBlock =
  | { type: 'text'; text: string }
  | { type: 'toolUse'; toolUseId: string; name: string; input: JSONValue }
export interface OfflineTurn {
  blocks: OfflineBlock[]
  stopReason: 'toolUse' | 'endTurn'
}

const DEFAULTS = {
  modelId: 'psa-offline-1',
  chunkSize: 32,
  chunkDelayMs: 0,
  maxSteps: 12,
  contextWindowLimit: 200_000,
}

/** Splits text into deltas of at most `size` characters at word boundaries (a longer word is its own delta). */
export function chunkText(text: string, size: number): string[] {
  const pieces = text.match(/\S+\s*|\s+/g) ?? []
  const chunks: string[] = []
  let current = ''
  for (const piece of pieces) {
    if (current && current.length + piece.length > size) {
      chunks.push(current)
      current = ''
    }
    current += piece
  }
  if (current) chunks.push(current)
  return chunks
}

/** The result as the forced tool's input, keeping only the properties its schema declares; undefined if it cannot fit. */
function fitToSchema(spec: ToolSpec, result: JSONValue): JSONValue | undefined {
  if (checkToolInput(spec, result) === null) return result
  const properties = (spec.inputSchema as { properties?: Record<string, unknown> } | undefined)?.properties
  if (!properties || typeof result !== 'object' || result === null || Array.isArray(result)) return undefined
  const picked = Object.fromEntries(Object.entries(result).filter(([key]) => key in properties))
  return checkToolInput(spec, picked) === null ? picked : undefined
}

/** A request message as read once: the message, and the understanding of it every turn reuses. */
interface ReadRequest {
  message: ParsedUserMessage
  understanding: Understanding
}

/**
 * Requests read recently, by their message text (which holds the request, the agent type and the context,
 * so everything the reading depends on). Every turn of a conversation sends the same request message, and
 * re-parsing its context and re-understanding it each turn was most of a worker's model time. A worker runs
 * a handful of conversations at once, so a few entries suffice; each holds a firm's names, so keep it small.
 */
const READ_REQUESTS_SIZE = 16

/**
 * Freezes a read request, so a playbook that mutated its input (they must be pure) fails loudly instead of
 * changing what the next turn of the conversation reads.
 */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const child of Object.values(value)) deepFreeze(child)
  }
  return value
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

function abortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error
    ? signal.reason
    : new DOMException('The operation was aborted', 'AbortError')
}

/**
 * A deterministic model for Strands agents: it reads the request (see `formatUserMessage`), parses it with
 * `understand`, asks the agent's playbook for the next step and streams that step exactly like an LLM
 * provider would (text deltas, tool-use blocks, stop reason, usage). Same conversation, same output: no
 * clock, no randomness. It says what it understood on the first turn and what it did not in its answer.
 */
export class OfflineModel extends Model<OfflineModelConfig> {
  private config: OfflineModelConfig
  private readonly playbooks = new Map<string, Playbook>()
  private readonly fallback: Playbook
  private readonly readRequests = new Map<string, ReadRequest>()

  constructor(options: OfflineModelOptions = {}) {
    super()
    const { playbooks, fallbackPlaybook, ...config } = options
    this.config = { ...DEFAULTS, ...config }
    this.fallback = fallbackPlaybook ?? defaultPlaybook
    for (const [agentType, playbook] of Object.entries(playbooks ?? {}))
      this.registerPlaybook(agentType, playbook)
  }

  updateConfig(modelConfig: OfflineModelConfig): void {
    this.config = { ...this.config, ...modelConfig }
  }

  getConfig(): OfflineModelConfig {
    return { ...this.config }
  }

  /** Makes `playbook` drive requests for `agentType`; replaces any earlier one. */
  registerPlaybook(agentType: string, playbook: Playbook): this {
    this.playbooks.set(agentType, playbook)
    return this
  }

  playbookFor(agentType: string | null): Playbook {
    return (agentType ? this.playbooks.get(agentType) : undefined) ?? this.fallback
  }

  /**
   * Runs the request parser over a few sample requests, so the first real requests of a process that
   * just started are not slowed by compiling and optimising it; returns the milliseconds it took.
   */
  warmUp(): number {
    return warmUpUnderstanding()
  }

  /** The request message parsed and understood, from the cache when a recent turn read the same message. */
  private readRequest(text: string): ReadRequest {
    const cached = this.readRequests.get(text)
    if (cached) {
      // Most recently used last, so the oldest is evicted first.
      this.readRequests.delete(text)
      this.readRequests.set(text, cached)
      return cached
    }
    const message = parseUserMessage(text)
    const knownAgent = agentTypeSchema.safeParse(message.agentType)
    const understanding = understandValidated(message.request, message.context, {
      agentType: knownAgent.success ? knownAgent.data : null,
    })
    if (message.problems.length > 0) understanding.notes.unshift(...message.problems)
    const read = deepFreeze({ message, understanding })
    if (this.readRequests.size >= READ_REQUESTS_SIZE) {
      const oldest = this.readRequests.keys().next()
      if (!oldest.done) this.readRequests.delete(oldest.value)
    }
    this.readRequests.set(text, read)
    return read
  }

  /** The next turn for a conversation, without streaming it. Pure: same input, same turn. */
  decide(
    messages: readonly Message[],
    toolSpecs: readonly ToolSpec[] = [],
    toolChoice?: StreamOptions['toolChoice'],
  ): OfflineTurn {
    let understanding: Understanding | undefined
    const { message, steps, assistantTurns } = readConversation(messages, (text) => {
      const read = this.readRequest(text)
      understanding = read.understanding
      return read.message
    })
    if (!understanding) throw new Error('readConversation did not read the request message')
    const firstTurn = steps.length === 0
    const preface = firstTurn
      ? [describeUnderstanding(understanding), describeGaps(understanding)].filter(Boolean).join('\n')
      : ''
    // The first turn says everything; the answer repeats only what was not understood or is missing.
    const gaps = describeGaps(understanding, { brief: true })
    const final = (text: string, result?: JSONValue, reportGaps = true): OfflineTurn => {
      const body = [preface, text, !firstTurn && reportGaps && gaps ? gaps : ''].filter(Boolean).join('\n\n')
      const blocks: OfflineBlock[] = [{ type: 'text', text: body }]
      if (result !== undefined) blocks.push({ type: 'text', text: formatResultBlock(result) })
      return { blocks, stopReason: 'endTurn' }
    }

    const maxSteps = this.config.maxSteps ?? DEFAULTS.maxSteps
    if (steps.length >= maxSteps) {
      return final(`I stopped after ${steps.length} tool steps without reaching an answer.`)
    }

    const input: PlaybookInput = {
      request: message.request,
      agentType: message.agentType,
      context: message.context,
      rawContext: message.rawContext,
      understanding,
      tools: toolSpecs,
      steps,
    }
    let decision: PlaybookDecision
    try {
      const parsed = playbookDecisionSchema.safeParse(this.playbookFor(message.agentType)(input))
      if (!parsed.success) {
        return final(
          `I could not continue: my playbook returned an invalid step (${parsed.error.issues[0]?.message ?? 'unknown problem'}).`,
        )
      }
      decision = parsed.data as PlaybookDecision
    } catch (err) {
      return final(`I could not continue: my playbook failed (${errorMessage(err)}).`)
    }

    if (decision.type === 'final') {
      // A forced tool (structured output) gets the result as its input when it fits.
      const forced =
        toolChoice && 'tool' in toolChoice
          ? toolSpecs.find((t) => t.name === toolChoice.tool.name)
          : undefined
      const structured =
        forced && decision.result !== undefined ? fitToSchema(forced, decision.result) : undefined
      if (forced && structured !== undefined) {
        return {
          blocks: [
            { type: 'text', text: [preface, decision.text].filter(Boolean).join('\n\n') },
            {
              type: 'toolUse',
              toolUseId: `offline-${assistantTurns}-0`,
              name: forced.name,
              input: structured,
            },
          ],
          stopReason: 'toolUse',
        }
      }
      return final(decision.text, decision.result, decision.reportGaps ?? true)
    }

    const problems: string[] = []
    for (const call of decision.calls) {
      const spec = toolSpecs.find((t) => t.name === call.name)
      if (!spec) problems.push(`the tool "${call.name}" is not available`)
      else {
        const invalid = checkToolInput(spec, call.input)
        if (invalid) problems.push(`the input for "${call.name}" is invalid: ${invalid}`)
      }
    }
    if (problems.length > 0) return final(`I could not continue: ${problems.join('; ')}.`)

    const reasoning = [preface, decision.reasoning].filter(Boolean).join('\n\n')
    return {
      blocks: [
        ...(reasoning ? [{ type: 'text' as const, text: reasoning }] : []),
        ...decision.calls.map((call, index) => ({
          type: 'toolUse' as const,
          toolUseId: `offline-${assistantTurns}-${index}`,
          name: call.name,
          input: call.input,
        })),
      ],
      stopReason: 'toolUse',
    }
  }

  async *stream(messages: Message[], options?: StreamOptions): AsyncGenerator<ModelStreamEvent> {
    const signal = options?.cancelSignal
    const toolSpecs = options?.toolSpecs ?? []
    const turn = this.decide(messages, toolSpecs, options?.toolChoice)
    const chunkSize = Math.max(1, this.config.chunkSize ?? DEFAULTS.chunkSize)
    const delay = this.config.chunkDelayMs ?? 0
    const pause = async () => {
      if (signal?.aborted) throw abortError(signal)
      if (delay > 0) await sleep(delay, undefined, signal ? { signal } : undefined)
    }

    let outputChars = 0
    yield { type: 'modelMessageStartEvent', role: 'assistant' }
    for (const block of turn.blocks) {
      if (block.type === 'text') {
        yield { type: 'modelContentBlockStartEvent' }
        for (const piece of chunkText(block.text, chunkSize)) {
          await pause()
          outputChars += piece.length
          yield { type: 'modelContentBlockDeltaEvent', delta: { type: 'textDelta', text: piece } }
        }
        yield { type: 'modelContentBlockStopEvent' }
      } else {
        await pause()
        const json = JSON.stringify(block.input)
        outputChars += block.name.length + json.length
        yield {
          type: 'modelContentBlockStartEvent',
          start: { type: 'toolUseStart', name: block.name, toolUseId: block.toolUseId },
        }
        yield { type: 'modelContentBlockDeltaEvent', delta: { type: 'toolUseInputDelta', input: json } }
        yield { type: 'modelContentBlockStopEvent' }
      }
    }
    yield { type: 'modelMessageStopEvent', stopReason: turn.stopReason }
    const inputTokens = await this.countTokens(messages, {
      ...(options?.systemPrompt !== undefined && { systemPrompt: options.systemPrompt }),
      toolSpecs,
    })
    const outputTokens = Math.ceil(outputChars / 4)
    yield {
      type: 'modelMetadataEvent',
      usage: { inputTokens, outputTokens, totalTokens: inputTokens + outputTokens },
    }
  }
}
