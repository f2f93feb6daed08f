// Test-only: the customer's contract as their architecture note writes it
// (../shared/reference/seed-runtime-architecture.md, "API Contract" and "Agent Thinking Logs"), so the
// contract tests hold the product to the note's own types rather than to ours. The interfaces keep the note's
// shapes exactly; each zod schema is checked at compile time to infer exactly its interface, so the run-time
// checks cannot drift from the types.
import { z } from 'zod'

// --- The note's interfaces, field for field -------------------------------------------------------------

// Shared types between runtimes
export interface AgentRequest {
  type: 'project_management' | 'resourcing' | 'quotes' | 'orchestrator'
  request: string
  // biome-ignore lint/suspicious/noExplicitAny: the note's type
  context?: Record<string, any>
  session_id: string
  user_id: string
}

export interface AgentResponse {
  session_id: string
  status: 'queued' | 'processing' | 'completed' | 'failed'
  // biome-ignore lint/suspicious/noExplicitAny: the note's type
  result?: any
  error?: string
  agents_involved: string[]
  processing_time_ms: number
}

/**
 * The note never declares `AgentLog`; its `useAgentThinking` reads `payload.new as AgentLog` from Realtime
 * INSERTs on agent_logs, and its `AgentLogger.log_thinking` inserts exactly these fields (timestamp as an ISO
 * string).
 */
export interface AgentLog {
  session_id: string
  agent_name: string
  message: string
  timestamp: string
}

// --- Their run-time form ----------------------------------------------------------------------------------

/** True only when A and B are the same type (`any` included), so a schema cannot infer a looser type. */
type Equals<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false
function sameType<_T extends true>(): void {}

export const agentRequestSchema = z.object({
  type: z.enum(['project_management', 'resourcing', 'quotes', 'orchestrator']),
  request: z.string(),
  context: z.record(z.string(), z.any()).optional(),
  session_id: z.string(),
  user_id: z.string(),
})
sameType<Equals<z.infer<typeof agentRequestSchema>, AgentRequest>>()

/**
 * The note's status union has no `cancelled` (we add it, as the design says); every other field is exactly
 * the note's. Unknown keys (our additions) are allowed and stripped, as a client reading the note's fields
 * sees them.
 */
export const agentResponseSchema = z.object({
  session_id: z.string(),
  status: z.enum(['queued', 'processing', 'completed', 'failed']),
  result: z.any().optional(),
  error: z.string().optional(),
  agents_involved: z.array(z.string()),
  processing_time_ms: z.number(),
})
sameType<Equals<z.infer<typeof agentResponseSchema>, AgentResponse>>()

/** What our additional `cancelled` status keeps of the note's shape: everything but the status value. */
export const cancelledResponseSchema = agentResponseSchema.extend({ status: z.literal('cancelled') })

const isoTime = z.string().refine((s) => Number.isFinite(Date.parse(s)), { error: 'must be a date-time' })

export const agentLogSchema = z.object({
  session_id: z.string(),
  agent_name: z.string(),
  message: z.string(),
  timestamp: isoTime,
})
sameType<Equals<z.infer<typeof agentLogSchema>, AgentLog>>()

/** Parses a value a client of the note received, with every field that breaks the note's types named. */
export function asNoteType<S extends z.ZodType>(schema: S, value: unknown, where: string): z.output<S> {
  const parsed = schema.safeParse(value)
  if (parsed.success) return parsed.data
  throw new Error(`${where} does not match the note's type:\n${z.prettifyError(parsed.error)}`)
}
