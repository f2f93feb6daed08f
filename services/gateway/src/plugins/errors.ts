import { bearerChallenge } from '@psa/auth'
import { AppError, type ErrorCode, isAppError } from '@psa/errors'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import { hasZodFastifySchemaValidationErrors, isResponseSerializationError } from 'fastify-type-provider-zod'
import FindMyWay, { type HTTPMethod } from 'find-my-way'

/** Fastify's own 4xx errors by status: their messages describe the request, so they are safe to return. */
const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHENTICATED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  406: 'BAD_REQUEST',
  408: 'DEADLINE_EXCEEDED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  414: 'BAD_REQUEST',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  431: 'BAD_REQUEST',
  503: 'UNAVAILABLE',
}

// OPTIONS is left out: the CORS preflight route matches every path and would turn every 404 into a 405.
const METHODS: HTTPMethod[] = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE']

interface ValidationIssue {
  location: string
  path: string
  message: string
}

/** Turns whatever a request failed with into an AppError whose message and details are safe to return. */
export function toHttpError(err: unknown): AppError {
  if (isAppError(err)) return err
  if (hasZodFastifySchemaValidationErrors(err)) {
    const location = (err as { validationContext?: string }).validationContext ?? 'request'
    const issues: ValidationIssue[] = err.validation.map((v) => ({
      location,
      path: (v.instancePath ?? '').replace(/^\//, '').replaceAll('/', '.'),
      message: v.message ?? 'is invalid',
    }))
    const first = issues[0]
    const where = first ? `${first.location}${first.path ? `.${first.path}` : ''}` : location
    return new AppError(
      'VALIDATION_FAILED',
      `Invalid ${where}: ${first?.message ?? 'does not match the schema'}`,
      {
        details: { issues },
        cause: err,
      },
    )
  }
  if (isResponseSerializationError(err)) {
    return new AppError('INTERNAL', 'An unexpected error occurred', { cause: err })
  }
  const fe = err as Partial<FastifyError>
  const status = typeof fe.statusCode === 'number' ? fe.statusCode : 500
  if (status >= 400 && status < 500) {
    const code = CODE_BY_STATUS[status] ?? 'BAD_REQUEST'
    return new AppError(code, fe.message || 'Bad request', { cause: err })
  }
  if (status === 503)
    return new AppError('UNAVAILABLE', 'The service is unavailable; try again shortly', { cause: err })
  return new AppError('INTERNAL', 'An unexpected error occurred', { cause: err })
}

export function sendError(request: FastifyRequest, reply: FastifyReply, error: AppError): FastifyReply {
  const challenge = bearerChallenge(error)
  if (challenge) reply.header('www-authenticate', challenge)
  if (error.code === 'UNAVAILABLE' && !reply.hasHeader('retry-after')) reply.header('retry-after', '5')
  const body = error.toBody()
  if (error.code === 'INTERNAL') body.error.details = { request_id: request.id }
  return reply.code(error.httpStatus).type('application/json; charset=utf-8').send(body)
}

/**
 * One error handler for the whole API: AppErrors (ours, the orchestrator's, Postgres's mapped ones),
 * validation failures, Fastify's own 4xx, and anything unexpected, always as
 * `{"error":{"code","message","details"}}`. Unexpected errors are logged with the request id and answered
 * with a generic 500 that leaks nothing. Unknown paths are 404, known paths with another method 405.
 */
export const errorsPlugin = fp(
  async (app: FastifyInstance) => {
    // A shadow router of every route, only to tell "no such path" from "not with this method".
    const routes = FindMyWay({ ignoreTrailingSlash: false, caseSensitive: true })
    app.addHook('onRoute', (route) => {
      const methods = Array.isArray(route.method) ? route.method : [route.method]
      for (const method of methods) {
        if (METHODS.includes(method as HTTPMethod) && !routes.hasRoute(method as HTTPMethod, route.url)) {
          routes.on(method as HTTPMethod, route.url, () => {})
        }
      }
    })

    app.setErrorHandler((err, request, reply) => {
      const error = toHttpError(err)
      if (error.httpStatus >= 500 && error.code !== 'UNAVAILABLE' && error.code !== 'DEADLINE_EXCEEDED') {
        request.log.error({ err: error.cause ?? err, code: error.code }, 'request failed unexpectedly')
      } else if (error.httpStatus >= 500) {
        request.log.warn({ err: error.cause ?? err, code: error.code }, 'request failed: dependency')
      } else {
        request.log.info({ code: error.code, status_code: error.httpStatus }, error.message)
      }
      return sendError(request, reply, error)
    })

    app.setNotFoundHandler((request, reply) => {
      const path = request.url.split('?')[0] ?? '/'
      const allowed = METHODS.filter((m) => m !== request.method && routes.find(m, path) !== null)
      if (allowed.length > 0) {
        reply.header('allow', allowed.join(', '))
        return sendError(
          request,
          reply,
          new AppError('METHOD_NOT_ALLOWED', `${request.method} is not allowed on ${path}`, {
            details: { allow: allowed },
          }),
        )
      }
      return sendError(
        request,
        reply,
        new AppError('NOT_FOUND', `No route ${request.method} ${path}`, {
          details: { method: request.method, path },
        }),
      )
    })
  },
  { name: 'errors' },
)
