import { formatTraceparent } from '@psa/config'
import { AppError } from '@psa/errors'
import type { FastifyRequest } from 'fastify'
import type { CallContext } from '../orchestrator/client.js'

/** The token, trace and request id a call to the orchestrator carries on behalf of this request. */
export function callContext(request: FastifyRequest): CallContext {
  const header = request.headers.authorization
  const queryToken = (request.query as { access_token?: string } | undefined)?.access_token
  const authorization =
    typeof header === 'string' && header ? header : queryToken ? `Bearer ${queryToken}` : ''
  if (!request.user || !authorization) throw new AppError('UNAUTHENTICATED', 'An access token is required')
  return { authorization, traceparent: formatTraceparent(request.trace), requestId: request.id }
}

/** The organisation a request names: X-Organisation-Id header, else an `organisation_id` query or body field. */
export function requestedOrganisation(request: FastifyRequest, fromBody?: string): string | undefined {
  const header = request.headers['x-organisation-id']
  if (typeof header === 'string' && header) return header
  const query = (request.query as { organisation_id?: string } | undefined)?.organisation_id
  return query ?? fromBody
}
