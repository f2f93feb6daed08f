import type { VerifiedUser } from '@psa/auth'
import type { TraceContext } from '@psa/config'
import type { AppError } from '@psa/errors'

declare module 'fastify' {
  interface FastifyRequest {
    /** This hop of the request's W3C trace (same trace id as the caller's, our own span id). */
    trace: TraceContext
    /** The verified caller, or null on public routes and before authentication. */
    user: VerifiedUser | null
    /** Why the token was refused, kept until the route's auth requirement is known to apply. */
    authError: AppError | null
  }
  interface FastifyContextConfig {
    /** Routes that need no access token (probes, metrics, OpenAPI, the dev token endpoint). */
    public?: boolean
    /**
     * Also accept the token as `?access_token=` (the event stream: browsers' EventSource cannot send
     * headers). The header wins when both are present; logged URLs have the token removed.
     */
    queryToken?: boolean
  }
}
