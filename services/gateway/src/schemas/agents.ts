import {
  AGENT_TYPES,
  type AgentResponse,
  agentTypeFromProto,
  type GetQueuePositionResponse,
  MAX_CONTEXT_DEPTH,
  nestsDeeperThan,
  SESSION_STATUSES,
  sessionStatusFromProto,
} from '@psa/proto'
import { z } from 'zod'
import { iso, timestampSchema, uuidSchema } from './common.js'

export const agentTypeSchema = z.enum(AGENT_TYPES)
export const sessionStatusSchema = z.enum(SESSION_STATUSES)

// Postgres text and jsonb cannot hold U+0000: refuse it here with a clear error instead of failing at insert.
const NUL = '\u0000'
const noNul = (value: string) => !value.includes(NUL)

const contextSchema = z
  .record(z.string(), z.unknown())
  // First: the other checks (and zod's own error paths) walk the value recursively.
  .refine((v) => !nestsDeeperThan(v, MAX_CONTEXT_DEPTH), {
    error: `must not nest objects or arrays more than ${MAX_CONTEXT_DEPTH} levels deep`,
    abort: true,
  })
  .refine((v) => !JSON.stringify(v).includes('\\u0000'), { error: 'must not contain NUL characters' })
  .describe('Structured context: ids of a project, client or quote, dates, preferences')

/**
 * The customer's AgentRequest body, plus `auto_apply` and `organisation_id`. `user_id` is accepted because
 * the customer's clients send it, but never trusted: the orchestrator refuses any id but the token's.
 */
export const agentRequestBodySchema = z
  .object({
    type: agentTypeSchema,
    request: z
      .string()
      .trim()
      .min(1, { error: 'must not be empty' })
      .max(20_000, { error: 'must be at most 20000 characters' })
      .refine(noNul, { error: 'must not contain NUL characters' })
      .describe("The user's request in their own words"),
    context: contextSchema.optional(),
    session_id: z
      .union([z.literal(''), uuidSchema])
      .optional()
      .describe(
        'Client-chosen id (a UUID): submitting it again returns the same session (safe retries). ' +
          'Empty or absent: the server assigns one.',
      ),
    user_id: z
      .string()
      .max(255)
      .optional()
      .describe(
        "The requesting user's id, as the original runtime's clients send it. Must be the signed-in user " +
          "(the token's sub) when given: any other value is 403 USER_MISMATCH. Identity comes from the token.",
      ),
    auto_apply: z.boolean().optional().describe("Apply the agent's proposals at once (managers and above)"),
    organisation_id: uuidSchema.optional(),
  })
  .strict()
  .meta({ id: 'AgentRequest' })

/** The typed shortcuts take the same body without `type`. */
export const typedAgentRequestBodySchema = agentRequestBodySchema.omit({ type: true }).strict()

const usageSchema = z.object({
  input_tokens: z.number().int(),
  output_tokens: z.number().int(),
  total_tokens: z.number().int(),
})

/** The customer's AgentResponse, plus what users need to follow a session. */
export const agentResponseSchema = z
  .object({
    session_id: uuidSchema,
    status: sessionStatusSchema,
    result: z.unknown().describe("The agent's final result (JSON) once completed; null before"),
    error: z
      .string()
      .optional()
      .describe(
        'Why the session failed or was cancelled; absent otherwise (the note types it `error?: string`)',
      ),
    error_code: z.string().nullable(),
    agents_involved: z.array(z.string()),
    processing_time_ms: z
      .number()
      .int()
      .describe(
        '0 while queued; while processing, the time since it first started; once finished, the measured ' +
          'time of the attempt that finished it (0 if it never ran)',
      ),
    type: agentTypeSchema.nullable(),
    request: z.string(),
    context: z.record(z.string(), z.unknown()),
    user_id: z.string().nullable(),
    organisation_id: z.string().nullable(),
    parent_session_id: z.string().nullable(),
    auto_apply: z.boolean(),
    queue_position: z.number().int().describe('1-based position in its queue while queued; 0 otherwise'),
    created_at: timestampSchema.nullable(),
    started_at: timestampSchema.nullable(),
    completed_at: timestampSchema.nullable(),
    usage: usageSchema,
    attempts: z.number().int(),
    last_event_seq: z.number().int().describe('Sequence number of the latest event (resume after it)'),
  })
  .meta({ id: 'AgentResponse' })

export type AgentResponseJson = z.infer<typeof agentResponseSchema>

export function toAgentResponseJson(r: AgentResponse): AgentResponseJson {
  const usage = r.usage ?? { inputTokens: 0, outputTokens: 0, totalTokens: 0 }
  return {
    session_id: r.sessionId,
    status: sessionStatusFromProto(r.status) ?? 'queued',
    result: r.result ?? null,
    ...(r.error ? { error: r.error } : {}),
    error_code: r.errorCode || null,
    agents_involved: r.agentsInvolved,
    processing_time_ms: r.processingTimeMs,
    type: agentTypeFromProto(r.type) ?? null,
    request: r.request,
    context: r.context ?? {},
    user_id: r.userId || null,
    organisation_id: r.organisationId || null,
    parent_session_id: r.parentSessionId || null,
    auto_apply: r.autoApply,
    queue_position: r.queuePosition,
    created_at: iso(r.createdAt),
    started_at: iso(r.startedAt),
    completed_at: iso(r.completedAt),
    usage: {
      input_tokens: usage.inputTokens,
      output_tokens: usage.outputTokens,
      total_tokens: usage.totalTokens,
    },
    attempts: r.attempts,
    last_event_seq: r.lastEventSeq,
  }
}

export const sessionListQuerySchema = z.object({
  page_size: z.coerce.number({ error: 'must be a number' }).int().min(1).max(100).optional(),
  page_token: z.string().min(1).max(1024).optional(),
  status: sessionStatusSchema.optional(),
  type: agentTypeSchema.optional(),
  mine: z
    .enum(['true', 'false', '1', '0'])
    .transform((v) => v === 'true' || v === '1')
    .optional()
    .describe("Only the caller's own sessions"),
  include_children: z
    .enum(['true', 'false', '1', '0'])
    .transform((v) => v === 'true' || v === '1')
    .optional()
    .describe('Include sessions the orchestrator delegated to specialists'),
  organisation_id: uuidSchema.optional(),
})

export const sessionListResponseSchema = z
  .object({ sessions: z.array(agentResponseSchema), next_page_token: z.string().nullable() })
  .meta({ id: 'SessionList' })

export const cancelBodySchema = z
  .object({
    reason: z
      .string()
      .trim()
      .min(1)
      .max(500)
      .refine(noNul, { error: 'must not contain NUL characters' })
      .optional(),
  })
  .strict()
  .optional()
  .nullable()

export const queuePositionSchema = z
  .object({
    session_id: uuidSchema,
    status: sessionStatusSchema,
    type: agentTypeSchema.nullable(),
    position: z
      .number()
      .int()
      .describe('1-based position among queued sessions of its type; 0 when not queued'),
    queue_depth: z.number().int().describe('Queued sessions of this type in all'),
  })
  .meta({ id: 'QueuePosition' })

export function toQueuePositionJson(r: GetQueuePositionResponse): z.infer<typeof queuePositionSchema> {
  return {
    session_id: r.sessionId,
    status: sessionStatusFromProto(r.status) ?? 'queued',
    type: agentTypeFromProto(r.type) ?? null,
    position: r.position,
    queue_depth: r.queueDepth,
  }
}

export const sessionEventsQuerySchema = z.object({
  after: z.coerce
    .number({ error: 'must be a number' })
    .int()
    .min(0)
    .max(Number.MAX_SAFE_INTEGER)
    .optional()
    .describe('Deliver events with seq > after (the Last-Event-ID header wins when both are sent)'),
  access_token: z
    .string()
    .max(16_384)
    .optional()
    .describe('For EventSource clients, which cannot send headers: the access token (prefer the header)'),
})

export const sessionEventsHeadersSchema = z.object({
  'last-event-id': z
    .string()
    .regex(/^\d{1,15}$/, { error: 'must be the seq of the last event received' })
    .optional(),
})
