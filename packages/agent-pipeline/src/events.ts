import {
  AGENT_TYPES,
  agentTypeFromProto,
  agentTypeToProto,
  isTerminalStatus,
  type SessionEvent as ProtoSessionEvent,
  SESSION_STATUSES,
  sessionStatusFromProto,
  sessionStatusToProto,
} from '@psa/proto'
import { z } from 'zod'

const usageSchema = z.object({
  input_tokens: z.number().int().nonnegative(),
  output_tokens: z.number().int().nonnegative(),
  total_tokens: z.number().int().nonnegative(),
})

/**
 * A session event as it travels on NATS, is stored in `agent_logs.data`, and is sent to browsers over SSE.
 * It mirrors `psa.v1.SessionEvent` field for field (snake_case, `type` naming the oneof case), so the
 * gRPC and JSON views of one event always agree.
 */
export const sessionEventSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('status_changed'),
    data: z.object({
      status: z.enum(SESSION_STATUSES),
      message: z.string().default(''),
      queue_position: z.number().int().nonnegative().default(0),
      attempt: z.number().int().nonnegative().default(0),
    }),
  }),
  z.object({ type: z.literal('reasoning'), data: z.object({ text: z.string() }) }),
  z.object({
    type: z.literal('tool_call_started'),
    data: z.object({ tool_use_id: z.string(), name: z.string(), input: z.record(z.string(), z.unknown()) }),
  }),
  z.object({
    type: z.literal('tool_call_finished'),
    data: z.object({
      tool_use_id: z.string(),
      name: z.string(),
      ok: z.boolean(),
      summary: z.string(),
      output: z.unknown(),
      duration_ms: z.number().int().nonnegative(),
    }),
  }),
  z.object({
    type: z.literal('proposal_created'),
    data: z.object({
      proposal_id: z.uuid(),
      title: z.string(),
      summary: z.string(),
      change_count: z.number().int().nonnegative(),
      auto_applied: z.boolean().default(false),
    }),
  }),
  z.object({
    type: z.literal('final_result'),
    data: z.object({
      result: z.unknown(),
      text: z.string(),
      usage: usageSchema,
      agents_involved: z.array(z.string()),
      processing_time_ms: z.number().int().nonnegative(),
    }),
  }),
  z.object({
    type: z.literal('error'),
    data: z.object({ code: z.string(), message: z.string(), retryable: z.boolean().default(false) }),
  }),
  z.object({
    type: z.literal('child_session'),
    data: z.object({
      child_session_id: z.uuid(),
      agent_type: z.enum(AGENT_TYPES),
      status: z.enum(SESSION_STATUSES),
    }),
  }),
])

export const sessionEventEnvelopeSchema = z
  .object({
    session_id: z.uuid(),
    seq: z.number().int().positive(),
    time: z.iso.datetime({ offset: true }),
    agent: z.string(),
  })
  .and(sessionEventSchema)

export type SessionEventBody = z.infer<typeof sessionEventSchema>
export type SessionEventType = SessionEventBody['type']
export type SessionEventEnvelope = z.infer<typeof sessionEventEnvelopeSchema>

/**
 * True for the last event a session ever produces: its terminal status change, written after the
 * `final_result` or `error` event. Stream consumers stop there.
 */
export function isTerminalEvent(event: SessionEventBody): boolean {
  return event.type === 'status_changed' && isTerminalStatus(event.data.status)
}

/** One line of human-readable text for `agent_logs.message`. */
export function describeEvent(event: SessionEventBody): string {
  switch (event.type) {
    case 'status_changed':
      return event.data.message || `Session ${event.data.status}`
    case 'reasoning':
      return event.data.text
    case 'tool_call_started':
      return `Calling ${event.data.name}`
    case 'tool_call_finished':
      return `${event.data.name} ${event.data.ok ? 'finished' : 'failed'}: ${event.data.summary}`
    case 'proposal_created':
      return `Proposal: ${event.data.title}`
    case 'final_result':
      return event.data.text
    case 'error':
      return `${event.data.code}: ${event.data.message}`
    case 'child_session':
      return `Delegated to ${event.data.agent_type} (${event.data.status})`
  }
}

const toDate = (iso: string) => new Date(iso)

/** The gRPC form of an event. */
export function toProtoEvent(event: SessionEventEnvelope): ProtoSessionEvent {
  const base = { sessionId: event.session_id, seq: event.seq, time: toDate(event.time), agent: event.agent }
  switch (event.type) {
    case 'status_changed':
      return {
        ...base,
        payload: {
          $case: 'statusChanged',
          value: {
            status: sessionStatusToProto(event.data.status),
            message: event.data.message,
            queuePosition: event.data.queue_position,
            attempt: event.data.attempt,
          },
        },
      }
    case 'reasoning':
      return { ...base, payload: { $case: 'reasoning', value: { text: event.data.text } } }
    case 'tool_call_started':
      return {
        ...base,
        payload: {
          $case: 'toolCallStarted',
          value: { toolUseId: event.data.tool_use_id, name: event.data.name, input: event.data.input },
        },
      }
    case 'tool_call_finished':
      return {
        ...base,
        payload: {
          $case: 'toolCallFinished',
          value: {
            toolUseId: event.data.tool_use_id,
            name: event.data.name,
            ok: event.data.ok,
            summary: event.data.summary,
            output: event.data.output,
            durationMs: event.data.duration_ms,
          },
        },
      }
    case 'proposal_created':
      return {
        ...base,
        payload: {
          $case: 'proposalCreated',
          value: {
            proposalId: event.data.proposal_id,
            title: event.data.title,
            summary: event.data.summary,
            changeCount: event.data.change_count,
            autoApplied: event.data.auto_applied,
          },
        },
      }
    case 'final_result':
      return {
        ...base,
        payload: {
          $case: 'finalResult',
          value: {
            result: event.data.result,
            text: event.data.text,
            usage: {
              inputTokens: event.data.usage.input_tokens,
              outputTokens: event.data.usage.output_tokens,
              totalTokens: event.data.usage.total_tokens,
            },
            agentsInvolved: event.data.agents_involved,
            processingTimeMs: event.data.processing_time_ms,
          },
        },
      }
    case 'error':
      return { ...base, payload: { $case: 'error', value: event.data } }
    case 'child_session':
      return {
        ...base,
        payload: {
          $case: 'childSession',
          value: {
            childSessionId: event.data.child_session_id,
            type: agentTypeToProto(event.data.agent_type),
            status: sessionStatusToProto(event.data.status),
          },
        },
      }
  }
}

/** The JSON form of a gRPC event (what the gateway sends over SSE). Throws on an empty payload. */
export function fromProtoEvent(event: ProtoSessionEvent): SessionEventEnvelope {
  const base = {
    session_id: event.sessionId,
    seq: event.seq,
    time: (event.time ?? new Date(0)).toISOString(),
    agent: event.agent,
  }
  const payload = event.payload
  if (!payload) throw new Error(`event ${event.sessionId}#${event.seq} has no payload`)
  switch (payload.$case) {
    case 'statusChanged':
      return {
        ...base,
        type: 'status_changed',
        data: {
          status: sessionStatusFromProto(payload.value.status) ?? 'queued',
          message: payload.value.message,
          queue_position: payload.value.queuePosition,
          attempt: payload.value.attempt,
        },
      }
    case 'reasoning':
      return { ...base, type: 'reasoning', data: { text: payload.value.text } }
    case 'toolCallStarted':
      return {
        ...base,
        type: 'tool_call_started',
        data: {
          tool_use_id: payload.value.toolUseId,
          name: payload.value.name,
          input: payload.value.input ?? {},
        },
      }
    case 'toolCallFinished':
      return {
        ...base,
        type: 'tool_call_finished',
        data: {
          tool_use_id: payload.value.toolUseId,
          name: payload.value.name,
          ok: payload.value.ok,
          summary: payload.value.summary,
          output: payload.value.output,
          duration_ms: payload.value.durationMs,
        },
      }
    case 'proposalCreated':
      return {
        ...base,
        type: 'proposal_created',
        data: {
          proposal_id: payload.value.proposalId,
          title: payload.value.title,
          summary: payload.value.summary,
          change_count: payload.value.changeCount,
          auto_applied: payload.value.autoApplied,
        },
      }
    case 'finalResult':
      return {
        ...base,
        type: 'final_result',
        data: {
          result: payload.value.result,
          text: payload.value.text,
          usage: {
            input_tokens: payload.value.usage?.inputTokens ?? 0,
            output_tokens: payload.value.usage?.outputTokens ?? 0,
            total_tokens: payload.value.usage?.totalTokens ?? 0,
          },
          agents_involved: payload.value.agentsInvolved,
          processing_time_ms: payload.value.processingTimeMs,
        },
      }
    case 'error':
      return { ...base, type: 'error', data: payload.value }
    case 'childSession':
      return {
        ...base,
        type: 'child_session',
        data: {
          child_session_id: payload.value.childSessionId,
          agent_type: agentTypeFromProto(payload.value.type) ?? 'orchestrator',
          status: sessionStatusFromProto(payload.value.status) ?? 'queued',
        },
      }
  }
}
