import type { SessionRow } from '@psa/agent-pipeline'
import { AppError } from '@psa/errors'
import {
  type AgentResponse,
  type AgentTypeName,
  agentTypeToProto,
  type SessionStatusName,
  sessionStatusToProto,
} from '@psa/proto'
import { z } from 'zod'

const storedErrorSchema = z.object({ code: z.string(), message: z.string() })

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * Always a number, as the customer's AgentResponse types it: 0 while queued (nothing processed yet, which is
 * also what the original runtime answered on enqueue), the time since processing first started while it
 * runs, and the measured time of the finishing attempt once finished (0 if it never ran).
 */
function processingTimeMs(row: Pick<SessionRow, 'status' | 'started_at' | 'processing_time_ms'>): number {
  if (row.status === 'processing' && row.started_at) return Math.max(0, Date.now() - row.started_at.getTime())
  return row.status === 'queued' ? 0 : (row.processing_time_ms ?? 0)
}

/** The gRPC view of a session row, plus what is not a column (its queue position and latest event). */
export function toAgentResponse(
  row: SessionRow,
  extra: { queuePosition?: number; lastEventSeq?: number } = {},
): AgentResponse {
  const error = storedErrorSchema.safeParse(row.error)
  return {
    sessionId: row.id,
    status: sessionStatusToProto(row.status as SessionStatusName),
    result: row.result ?? undefined,
    error: error.success ? error.data.message : '',
    errorCode: error.success ? error.data.code : '',
    agentsInvolved: row.agents_involved,
    processingTimeMs: processingTimeMs(row),
    type: agentTypeToProto(row.agent_type as AgentTypeName),
    request: row.request,
    context: isJsonObject(row.context) ? row.context : {},
    userId: row.user_id,
    organisationId: row.organisation_id,
    parentSessionId: row.parent_session_id ?? '',
    autoApply: row.auto_apply,
    queuePosition: extra.queuePosition ?? 0,
    createdAt: row.created_at,
    startedAt: row.started_at ?? undefined,
    completedAt: row.completed_at ?? undefined,
    usage: {
      inputTokens: row.input_tokens,
      outputTokens: row.output_tokens,
      totalTokens: row.input_tokens + row.output_tokens,
    },
    attempts: row.attempts,
    lastEventSeq: extra.lastEventSeq ?? 0,
  }
}

const pageTokenSchema = z.object({ v: z.literal(1), t: z.iso.datetime(), id: z.uuid() })

/** Opaque keyset cursor: the (created_at, id) of the last row of a page. */
export function encodePageToken(row: Pick<SessionRow, 'created_at' | 'id'>): string {
  return Buffer.from(JSON.stringify({ v: 1, t: row.created_at.toISOString(), id: row.id })).toString(
    'base64url',
  )
}

export function decodePageToken(token: string): { createdAt: Date; id: string } | undefined {
  if (token === '') return undefined
  try {
    const parsed = pageTokenSchema.parse(JSON.parse(Buffer.from(token, 'base64url').toString('utf8')))
    return { createdAt: new Date(parsed.t), id: parsed.id }
  } catch (cause) {
    throw new AppError('VALIDATION_FAILED', 'Invalid request: page_token is not a token this API issued', {
      cause,
      details: { issues: [{ field: 'page_token', message: 'is not a token this API issued' }] },
    })
  }
}
