import { AGENT_TYPES } from '@psa/proto'
import { z } from 'zod'

/** JSON object (what `google.protobuf.Struct` carries): the request's structured context. */
export const jsonObjectSchema = z.record(z.string(), z.unknown())

/**
 * A queued request, the body of a message on `<ns>.agent.requests.<type>`. The session row in Postgres is
 * the source of truth for its state; the message says "work on this" and carries what the worker needs to
 * start without a lookup. Headers: `Nats-Msg-Id` = session id (de-duplication), `traceparent`.
 */
export const workItemSchema = z.object({
  v: z.literal(1),
  session_id: z.uuid(),
  organisation_id: z.uuid(),
  user_id: z.uuid(),
  /** The submitting user's e-mail, for the claims the worker acts with (RLS applies to agent tools). */
  user_email: z.string().optional(),
  agent_type: z.enum(AGENT_TYPES),
  request: z.string().min(1).max(20_000),
  context: jsonObjectSchema.default({}),
  auto_apply: z.boolean().default(false),
  parent_session_id: z.uuid().nullable().default(null),
  submitted_at: z.iso.datetime({ offset: true }),
})
export type WorkItem = z.infer<typeof workItemSchema>

/** Broadcast on `<ns>.agent.control.cancel`: the worker running this session aborts it. */
export const cancelCommandSchema = z.object({
  session_id: z.uuid(),
  reason: z.string().max(500).default('Cancelled by user'),
  requested_by: z.uuid().nullable().default(null),
})
export type CancelCommand = z.infer<typeof cancelCommandSchema>

export const TRACEPARENT_HEADER = 'traceparent'
