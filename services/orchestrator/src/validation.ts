import { AppError } from '@psa/errors'
import {
  AGENT_TYPES,
  AgentType,
  type AgentTypeName,
  agentTypeFromProto,
  MAX_CONTEXT_BYTES,
  MAX_CONTEXT_DEPTH,
  nestsDeeperThan,
  SESSION_STATUSES,
  SessionStatus,
  type SessionStatusName,
  sessionStatusFromProto,
} from '@psa/proto'
import { z } from 'zod'

/** The largest request text accepted (the queue message schema allows the same). */
export const MAX_REQUEST_CHARS = 20_000
export const DEFAULT_PAGE_SIZE = 20
export const MAX_PAGE_SIZE = 100
export const MAX_CANCEL_REASON_CHARS = 500
const MAX_USER_ID_CHARS = 255

const uuid = z.uuid({ error: 'must be a UUID' })
/** proto3 strings are '' when absent: optional ids arrive as '' or a UUID. */
const optionalUuid = z.union([z.literal('').transform(() => undefined), uuid])

const agentType = z.enum(AgentType).transform((value, ctx): AgentTypeName => {
  const name = agentTypeFromProto(value)
  if (!name) {
    ctx.addIssue({ code: 'custom', message: `must be one of ${AGENT_TYPES.map(agentTypeLabel).join(', ')}` })
    return z.NEVER
  }
  return name
})

/** A filter: UNSPECIFIED means "any"; UNRECOGNIZED (a number this server does not know) is refused. */
const optionalAgentType = z.enum(AgentType).transform((value, ctx): AgentTypeName | undefined => {
  if (value === AgentType.AGENT_TYPE_UNSPECIFIED) return undefined
  const name = agentTypeFromProto(value)
  if (!name) {
    ctx.addIssue({ code: 'custom', message: 'is not a known agent type' })
    return z.NEVER
  }
  return name
})

const optionalStatus = z.enum(SessionStatus).transform((value, ctx): SessionStatusName | undefined => {
  if (value === SessionStatus.SESSION_STATUS_UNSPECIFIED) return undefined
  const name = sessionStatusFromProto(value)
  if (!name) {
    ctx.addIssue({ code: 'custom', message: `is not a known status (${SESSION_STATUSES.join(', ')})` })
    return z.NEVER
  }
  return name
})

function agentTypeLabel(name: AgentTypeName): string {
  return `AGENT_TYPE_${name.toUpperCase()}`
}

export const submitRequestSchema = z.object({
  type: agentType,
  request: z
    .string()
    .max(MAX_REQUEST_CHARS, { error: `must be at most ${MAX_REQUEST_CHARS} characters` })
    .refine((s) => s.trim() !== '', { error: 'must not be blank' }),
  context: z
    .record(z.string(), z.unknown())
    .optional()
    .transform((c) => c ?? {})
    .refine((c) => !nestsDeeperThan(c, MAX_CONTEXT_DEPTH), {
      error: `must not nest objects or arrays more than ${MAX_CONTEXT_DEPTH} levels deep`,
      abort: true,
    })
    .refine((c) => Buffer.byteLength(JSON.stringify(c), 'utf8') <= MAX_CONTEXT_BYTES, {
      error: `must be at most ${MAX_CONTEXT_BYTES / 1024} KiB as JSON`,
    }),
  sessionId: optionalUuid,
  // The customer's AgentRequest names the user; only the token decides who that is (see requireCaller).
  userId: z.string().max(MAX_USER_ID_CHARS, { error: `must be at most ${MAX_USER_ID_CHARS} characters` }),
  autoApply: z.boolean(),
  organisationId: optionalUuid,
  parentSessionId: optionalUuid,
})
export type ValidSubmitRequest = z.output<typeof submitRequestSchema>

/**
 * A request that names its user (`user_id`, as the customer's AgentRequest does) must name the caller: the
 * verified token is the only identity, so any other id is refused rather than trusted or silently ignored.
 */
export function requireCaller<T extends { userId: string }>(input: T, verifiedUserId: string): T {
  if (input.userId !== '' && input.userId !== verifiedUserId) {
    throw new AppError('USER_MISMATCH', 'user_id must be the signed-in user (the access token’s subject)', {
      details: { field: 'user_id' },
    })
  }
  return input
}

export const sessionIdRequestSchema = z.object({ sessionId: uuid })

export const cancelRequestSchema = z.object({
  sessionId: uuid,
  reason: z
    .string()
    .max(MAX_CANCEL_REASON_CHARS, { error: `must be at most ${MAX_CANCEL_REASON_CHARS} characters` })
    .transform((r) => r.trim() || 'Cancelled by user'),
})

export const streamRequestSchema = z.object({
  sessionId: uuid,
  afterSeq: z.number().int().min(0, { error: 'must be 0 or more' }).max(Number.MAX_SAFE_INTEGER),
})

export const listRequestSchema = z.object({
  pageSize: z
    .number()
    .int()
    .min(0)
    .max(MAX_PAGE_SIZE, {
      error: `must be between 1 and ${MAX_PAGE_SIZE} (0: the default ${DEFAULT_PAGE_SIZE})`,
    })
    .transform((n) => n || DEFAULT_PAGE_SIZE),
  pageToken: z.string().max(512),
  status: optionalStatus,
  type: optionalAgentType,
  mineOnly: z.boolean(),
  organisationId: optionalUuid,
  includeChildren: z.boolean(),
})

/** Maps proto field names (camelCase in ts-proto) back to the .proto's snake_case names for error details. */
function protoFieldPath(path: readonly PropertyKey[]): string {
  return path.map((p) => String(p).replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)).join('.')
}

/** Parses a decoded request message; bad input becomes VALIDATION_FAILED (INVALID_ARGUMENT) naming each field. */
export function validate<S extends z.ZodType>(schema: S, message: unknown): z.output<S> {
  const result = schema.safeParse(message)
  if (result.success) return result.data
  const issues = result.error.issues.map((issue) => ({
    field: protoFieldPath(issue.path) || '(request)',
    message: issue.message,
  }))
  const summary = issues.map((i) => `${i.field} ${i.message}`).join('; ')
  throw new AppError('VALIDATION_FAILED', `Invalid request: ${summary}`, { details: { issues } })
}
