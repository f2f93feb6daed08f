import type { JSONValue, ToolSpec } from '@strands-agents/sdk'
import { z } from 'zod'
import type { RequestContext } from '../context.js'
import type { Understanding } from '../understanding/schema.js'

/** One tool call the model made earlier in this request, with what the tool returned. */
export interface ToolCallRecord {
  toolUseId: string
  name: string
  input: JSONValue
  /** `pending` only if the conversation has no result for the call (it was cut off). */
  status: 'success' | 'error' | 'pending'
  /** The result as data: JSON results as-is (arrays unwrapped), text that parses as JSON parsed, else null. */
  output: JSONValue | null
  /** The result's text (for errors, the error message). */
  text: string
}

/** One model turn that called tools: the reasoning it streamed and the calls it made. */
export interface PlaybookStep {
  reasoning: string
  calls: ToolCallRecord[]
}

export interface PlaybookInput {
  /** The request text as the user wrote it. */
  request: string
  /** The agent handling the request, from the user message (see `formatUserMessage`). */
  agentType: string | null
  /** The validated context (well-known keys) and the context exactly as sent. */
  context: RequestContext
  rawContext: Record<string, unknown>
  understanding: Understanding
  /** The tools the agent offers, as the model sees them. */
  tools: readonly ToolSpec[]
  /** What happened so far in this request, oldest first. Empty on the first turn. */
  steps: readonly PlaybookStep[]
}

export interface ToolCallRequest {
  name: string
  input: Record<string, JSONValue>
}

export type PlaybookDecision =
  | { type: 'tools'; reasoning: string; calls: ToolCallRequest[] }
  | {
      type: 'final'
      text: string
      /** Structured result, sent as a `<result>` block after the text (see `extractResult`). */
      result?: JSONValue
      /** Set false when the text already explains what was not understood. Default true. */
      reportGaps?: boolean
    }

/**
 * An agent's behaviour under the offline model: given the request, what was understood and what the tools
 * returned so far, the next step. Must be pure and deterministic (no clock, no randomness, no I/O); the
 * model validates tool inputs against the tools' schemas and turns a thrown error into a clear answer.
 */
export type Playbook = (input: PlaybookInput) => PlaybookDecision

/** Next step: stream `reasoning`, then call the tools (all calls in one turn run before the next step). */
export function callTools(reasoning: string, calls: ToolCallRequest | ToolCallRequest[]): PlaybookDecision {
  return { type: 'tools', reasoning, calls: Array.isArray(calls) ? calls : [calls] }
}

/** Final answer: stream `text`, optionally followed by a structured result block. */
export function finish(
  text: string,
  options: { result?: JSONValue; reportGaps?: boolean } = {},
): PlaybookDecision {
  return { type: 'final', text, ...options }
}

/** The most recent call of `name` in the steps so far. */
export function lastCall(steps: readonly PlaybookStep[], name: string): ToolCallRecord | undefined {
  for (let i = steps.length - 1; i >= 0; i--) {
    const call = steps[i]?.calls.findLast((c) => c.name === name)
    if (call) return call
  }
  return undefined
}

export function hasTool(input: PlaybookInput, name: string): boolean {
  return input.tools.some((t) => t.name === name)
}

const jsonRecord = z.record(z.string(), z.json())

/** Guards against playbooks written without types (or returning junk at runtime). */
export const playbookDecisionSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('tools'),
    reasoning: z.string(),
    calls: z.array(z.object({ name: z.string().min(1), input: jsonRecord })).min(1),
  }),
  z.object({
    type: z.literal('final'),
    text: z.string(),
    result: z.json().optional(),
    reportGaps: z.boolean().optional(),
  }),
])
