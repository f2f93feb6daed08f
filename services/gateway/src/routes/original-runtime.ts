import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import type { OrchestratorClient } from '../orchestrator/client.js'
import { agentRequestBodySchema, agentResponseSchema, toAgentResponseJson } from '../schemas/agents.js'
import { errorResponses, organisationHeadersSchema, uuidSchema } from '../schemas/common.js'
import { submitAgentRequest } from './agents.js'
import { callContext } from './call-context.js'

const sessionIdParamsSchema = z.object({ session_id: uuidSchema })

/**
 * The customer's original agent runtime's routes (its FastAPI `POST /agents/process` and `GET
 * /agents/status/{session_id}`), so their Next.js proxy works pointed at this gateway as `PYTHON_AGENT_URL`.
 * Same token auth, bodies and answers as the /api family; the submit answers 200 because the original did.
 */
export async function originalRuntimeRoutes(
  app: FastifyInstance,
  { orchestrator }: { orchestrator: OrchestratorClient },
) {
  const r = app.withTypeProvider<ZodTypeProvider>()

  r.post(
    '/agents/process',
    {
      schema: {
        tags: ['runtime'],
        summary: 'Submit a request to an agent (the original runtime’s route)',
        description:
          'Same as POST /api/agents, answered 200 as the original runtime did: queues the request and ' +
          'answers at once with the queued session. Poll GET /agents/status/{session_id}.',
        headers: organisationHeadersSchema,
        body: agentRequestBodySchema,
        response: { 200: agentResponseSchema, ...errorResponses(403, 404, 409, 413, 415, 503, 504) },
      },
    },
    async (request) => submitAgentRequest(orchestrator, request, request.body),
  )

  // Also under /api, where the web app forwards and where a client of the note's proxy layer looks for it.
  for (const [path, tag] of [
    ['/agents/status/:session_id', 'runtime'],
    ['/api/agents/status/:session_id', 'agents'],
  ] as const) {
    r.get(
      path,
      {
        schema: {
          tags: [tag],
          summary: 'A session’s status and result (the original runtime’s route)',
          description: 'Same as GET /api/sessions/{id}.',
          params: sessionIdParamsSchema,
          response: { 200: agentResponseSchema, ...errorResponses(404, 503, 504) },
        },
      },
      async (request) =>
        toAgentResponseJson(await orchestrator.getSession(callContext(request), request.params.session_id)),
    )
  }
}
