import type { AgentTypeName } from '@psa/proto'
import { AgentType, agentTypeToProto, SessionStatus, sessionStatusToProto } from '@psa/proto'
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import type { z } from 'zod'
import type { OrchestratorClient } from '../orchestrator/client.js'
import {
  agentRequestBodySchema,
  agentResponseSchema,
  cancelBodySchema,
  queuePositionSchema,
  sessionListQuerySchema,
  sessionListResponseSchema,
  toAgentResponseJson,
  toQueuePositionJson,
  typedAgentRequestBodySchema,
} from '../schemas/agents.js'
import { errorResponses, idParamsSchema, organisationHeadersSchema } from '../schemas/common.js'
import { callContext, requestedOrganisation } from './call-context.js'

type AgentBody = z.infer<typeof typedAgentRequestBodySchema> & { type: AgentTypeName }

/** Submits on behalf of the request's caller (the orchestrator checks `user_id` against the token). */
export async function submitAgentRequest(
  orchestrator: OrchestratorClient,
  request: Parameters<typeof callContext>[0],
  body: AgentBody,
): Promise<z.infer<typeof agentResponseSchema>> {
  const response = await orchestrator.submit(
    callContext(request),
    {
      type: agentTypeToProto(body.type),
      request: body.request,
      context: body.context ?? {},
      sessionId: body.session_id ?? '',
      userId: body.user_id ?? '',
      autoApply: body.auto_apply ?? false,
      organisationId: requestedOrganisation(request, body.organisation_id) ?? '',
      parentSessionId: '',
    },
    bodyBytes(request, body),
  )
  return toAgentResponseJson(response)
}

/** The body's size in bytes: as sent (Content-Length), or as parsed when it came chunked. */
function bodyBytes(request: Parameters<typeof callContext>[0], body: AgentBody): number {
  const declared = Number(request.headers['content-length'])
  return Number.isFinite(declared) ? declared : Buffer.byteLength(JSON.stringify(body))
}

/** The seed's typed shortcuts: same body as /api/agents, type implied by the path. */
const SHORTCUTS: { path: string; type: AgentTypeName; summary: string }[] = [
  { path: '/api/agents/project', type: 'project_management', summary: 'Ask the project management agent' },
  { path: '/api/agents/resource', type: 'resourcing', summary: 'Ask the resourcing agent' },
  { path: '/api/agents/quotes', type: 'quotes', summary: 'Ask the quotes agent' },
]

/**
 * Agent requests and sessions, forwarded to the orchestrator's AgentService with the caller's token (it
 * verifies it again and applies the same tenancy rules) and answered in the customer's snake_case shape.
 */
export async function agentRoutes(
  app: FastifyInstance,
  { orchestrator }: { orchestrator: OrchestratorClient },
) {
  const r = app.withTypeProvider<ZodTypeProvider>()

  r.post(
    '/api/agents',
    {
      schema: {
        tags: ['agents'],
        summary: 'Submit a request to an agent',
        description:
          'Queues the request and answers at once (202) with the session; follow it with ' +
          'GET /api/sessions/{id}/events. Idempotent on session_id.',
        headers: organisationHeadersSchema,
        body: agentRequestBodySchema,
        response: { 202: agentResponseSchema, ...errorResponses(403, 404, 409, 413, 415, 503, 504) },
      },
    },
    async (request, reply) =>
      reply.code(202).send(await submitAgentRequest(orchestrator, request, request.body)),
  )

  for (const shortcut of SHORTCUTS) {
    r.post(
      shortcut.path,
      {
        schema: {
          tags: ['agents'],
          summary: shortcut.summary,
          description: `Same as POST /api/agents with type=${shortcut.type}.`,
          headers: organisationHeadersSchema,
          body: typedAgentRequestBodySchema,
          response: { 202: agentResponseSchema, ...errorResponses(403, 404, 409, 413, 415, 503, 504) },
        },
      },
      async (request, reply) =>
        reply
          .code(202)
          .send(await submitAgentRequest(orchestrator, request, { ...request.body, type: shortcut.type })),
    )
  }

  r.get(
    '/api/sessions',
    {
      schema: {
        tags: ['sessions'],
        summary: "The organisation's agent sessions, newest first",
        headers: organisationHeadersSchema,
        querystring: sessionListQuerySchema,
        response: { 200: sessionListResponseSchema, ...errorResponses(403, 404, 503, 504) },
      },
    },
    async (request) => {
      const q = request.query
      const response = await orchestrator.listSessions(callContext(request), {
        pageSize: q.page_size ?? 20,
        pageToken: q.page_token ?? '',
        status: q.status ? sessionStatusToProto(q.status) : SessionStatus.SESSION_STATUS_UNSPECIFIED,
        type: q.type ? agentTypeToProto(q.type) : AgentType.AGENT_TYPE_UNSPECIFIED,
        mineOnly: q.mine ?? false,
        organisationId: requestedOrganisation(request) ?? '',
        includeChildren: q.include_children ?? false,
      })
      return {
        sessions: response.sessions.map(toAgentResponseJson),
        next_page_token: response.nextPageToken || null,
      }
    },
  )

  r.get(
    '/api/sessions/:id',
    {
      schema: {
        tags: ['sessions'],
        summary: 'One agent session',
        params: idParamsSchema,
        response: { 200: agentResponseSchema, ...errorResponses(404, 503, 504) },
      },
    },
    async (request) =>
      toAgentResponseJson(await orchestrator.getSession(callContext(request), request.params.id)),
  )

  r.post(
    '/api/sessions/:id/cancel',
    {
      schema: {
        tags: ['sessions'],
        summary: 'Cancel a queued or running session',
        description:
          'A queued session is never processed; a running one is aborted by its worker. Cancelling a ' +
          'finished session is 409 INVALID_STATE. Only the requester or a manager may cancel.',
        params: idParamsSchema,
        body: cancelBodySchema,
        response: { 200: agentResponseSchema, ...errorResponses(403, 404, 409, 415, 503, 504) },
      },
    },
    async (request) =>
      toAgentResponseJson(
        await orchestrator.cancelSession(callContext(request), {
          sessionId: request.params.id,
          reason: request.body?.reason ?? 'Cancelled by user',
        }),
      ),
  )

  r.get(
    '/api/sessions/:id/queue-position',
    {
      schema: {
        tags: ['sessions'],
        summary: "A queued session's position in its agent's queue",
        params: idParamsSchema,
        response: { 200: queuePositionSchema, ...errorResponses(404, 503, 504) },
      },
    },
    async (request) =>
      toQueuePositionJson(await orchestrator.getQueuePosition(callContext(request), request.params.id)),
  )
}
