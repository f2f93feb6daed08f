import { type AccessTokenVerifier, authFailureReason } from '@psa/auth'
import { toAppError } from '@psa/errors'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import fp from 'fastify-plugin'
import type { GatewayMetrics } from '../metrics.js'

export interface AuthPluginOptions {
  verifier: AccessTokenVerifier
  metrics: GatewayMetrics
}

/**
 * Verifies the Supabase access token of every non-public route (`config.public` opts out). Verification runs
 * first (onRequest) so the rate limit that follows can count per user; a refusal is raised just after the
 * rate limit (preParsing), so unauthenticated floods are limited per IP too, and before any body is parsed.
 */
export const authPlugin = fp<AuthPluginOptions>(
  async (app: FastifyInstance, { verifier, metrics }) => {
    app.decorateRequest('user', null)
    app.decorateRequest('authError', null)

    app.addHook('onRequest', async (request) => {
      request.user = null
      request.authError = null
      if (request.routeOptions.config?.public || request.is404) return
      try {
        request.user = await verifier.verifyAuthorization(authorizationOf(request))
      } catch (err) {
        const error = toAppError(err)
        metrics.authFailures.labels(authFailureReason(error) ?? error.code.toLowerCase()).inc()
        request.authError = error
      }
    })

    app.addHook('preParsing', async (request) => {
      if (request.authError) throw request.authError
    })
  },
  { name: 'auth' },
)

function authorizationOf(request: FastifyRequest): string | string[] | undefined {
  const header = request.headers.authorization
  if (header || !request.routeOptions.config?.queryToken) return header
  // The querystring is not parsed by the schema yet at onRequest; read the raw URL.
  const token = new URL(request.url, 'http://gateway').searchParams.get('access_token')
  return token ? `Bearer ${token}` : undefined
}
