import swagger from '@fastify/swagger'
import type { AccessTokenVerifier, DevTokenIssuer } from '@psa/auth'
import type { Logger } from '@psa/config'
import type { Database } from '@psa/db'
import type { Health } from '@psa/lifecycle'
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify'
import {
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod'
import './fastify-types.js'
import { ChangeFeed } from './changes/change-feed.js'
import { type GatewayEnv, trustProxyOption } from './env.js'
import type { GatewayMetrics } from './metrics.js'
import type { OrchestratorClient } from './orchestrator/client.js'
import { authPlugin } from './plugins/auth.js'
import { errorsPlugin, sendError, toHttpError } from './plugins/errors.js'
import { metricsPlugin } from './plugins/metrics.js'
import { rateLimitPlugin } from './plugins/rate-limit.js'
import { requestContextPlugin, requestIdFor } from './plugins/request-context.js'
import { securityPlugin } from './plugins/security.js'
import { agentRoutes } from './routes/agents.js'
import { changeRoutes } from './routes/changes.js'
import { clientRoutes } from './routes/clients.js'
import { dashboardRoutes } from './routes/dashboard.js'
import { devAuthRoutes } from './routes/dev-auth.js'
import { opsRoutes } from './routes/ops.js'
import { originalRuntimeRoutes } from './routes/original-runtime.js'
import { projectRoutes } from './routes/projects.js'
import { proposalRoutes } from './routes/proposals.js'
import { quoteRoutes } from './routes/quotes.js'
import { resourceRoutes } from './routes/resources.js'
import { sessionEventRoutes } from './routes/session-events.js'
import { SessionStreamRegistry } from './sse/session-stream.js'

export interface GatewayAppOptions {
  env: Pick<
    GatewayEnv,
    | 'BODY_LIMIT_BYTES'
    | 'RATE_LIMIT_PER_MINUTE'
    | 'SSE_HEARTBEAT_MS'
    | 'SSE_RETRY_MS'
    | 'TRUST_PROXY'
    | 'CORS_ORIGINS'
    | 'AUTH_DEV_MODE'
    | 'READINESS_CACHE_MS'
    | 'SSE_MAX_STREAMS_PER_USER'
  >
  logger: Logger
  db: Database
  orchestrator: OrchestratorClient
  verifier: AccessTokenVerifier
  /** Present only in local development mode: the gateway then also serves the JWKS and /api/dev/token. */
  devIssuer?: DevTokenIssuer | undefined
  health: Health
  metrics: GatewayMetrics
  /**
   * Where the change feed LISTENs (a session connection: a transaction pooler cannot hold a LISTEN);
   * default: `db`.
   */
  listenDb?: Pick<Database, 'sql'>
}

export interface GatewayApp {
  app: FastifyInstance
  /** Open event streams (ended with a reconnect hint when the app closes). */
  streams: SessionStreamRegistry
  changes: ChangeFeed
}

/** Builds the gateway's Fastify instance (not listening). Tests use `app.inject` or listen on port 0. */
export async function buildGatewayApp(options: GatewayAppOptions): Promise<GatewayApp> {
  const { env, logger, db, orchestrator, verifier, devIssuer, health, metrics } = options
  // Typed as a plain instance: plugins and routes take FastifyInstance (base logger), which our pino satisfies.
  const app: FastifyInstance = Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    // We log one line per request ourselves (request-context plugin), with the trace id and route.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'request_id' }),
    requestIdHeader: false,
    genReqId: requestIdFor,
    bodyLimit: env.BODY_LIMIT_BYTES,
    trustProxy: trustProxyOption(env.TRUST_PROXY),
    return503OnClosing: true,
    // Malformed URLs never reach routing (so not the error handler either): answer them in the same shape.
    frameworkErrors: (error, request, reply) => {
      reply.header('x-request-id', request.id)
      void sendError(request, reply, toHttpError(error))
    },
  })
  app.setValidatorCompiler(validatorCompiler)
  app.setSerializerCompiler(serializerCompiler)
  // JSON only: a text/plain body on a JSON route is 415, not a string that fails validation.
  app.removeContentTypeParser('text/plain')

  const streams = new SessionStreamRegistry({ maxPerUser: env.SSE_MAX_STREAMS_PER_USER })
  const changes = new ChangeFeed({ db: options.listenDb ?? db, logger: app.log })
  app.addHook('onClose', async () => {
    await changes.close()
  })
  // Before the server stops listening: end open event streams with a reconnect hint, or close() would wait
  // for them for as long as their sessions run.
  app.addHook('preClose', async () => {
    await streams.shutdown()
  })

  await app.register(errorsPlugin)
  await app.register(requestContextPlugin)
  await app.register(securityPlugin, { corsOrigins: env.CORS_ORIGINS })
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'PSA Agents API',
        version: '1.0.0',
        description:
          'Projects, resources and quotes of a professional-services firm, and the AI agents that plan, staff ' +
          'and price them. Every route except the probes needs a Supabase access token ' +
          '(`Authorization: Bearer <token>`); errors are `{"error":{"code","message","details"}}`.',
      },
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      },
      security: [{ bearerAuth: [] }],
      tags: [
        { name: 'agents', description: 'Ask the agents' },
        { name: 'sessions', description: 'Follow, list and cancel agent sessions' },
        {
          name: 'runtime',
          description:
            "The original agent runtime's routes (POST /agents/process, GET /agents/status/{session_id}): " +
            'point a client of that runtime (PYTHON_AGENT_URL) at this gateway',
        },
        { name: 'proposals', description: "Decide on the agents' proposed changes" },
        { name: 'projects' },
        { name: 'resources' },
        { name: 'quotes' },
        { name: 'clients' },
        { name: 'organisations', description: 'Who is signed in, the dashboard, live changes' },
        { name: 'ops', description: 'Probes' },
        ...(devIssuer ? [{ name: 'dev', description: 'Local development sign-in (AUTH_DEV_MODE)' }] : []),
      ],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  })
  await app.register(authPlugin, { verifier, metrics })
  await app.register(rateLimitPlugin, { perMinute: env.RATE_LIMIT_PER_MINUTE, metrics })
  await app.register(metricsPlugin, { metrics })

  await app.register(opsRoutes, { health, metrics, readinessCacheMs: env.READINESS_CACHE_MS })
  if (devIssuer) await app.register(devAuthRoutes, { issuer: devIssuer, db })
  await app.register(agentRoutes, { orchestrator })
  await app.register(originalRuntimeRoutes, { orchestrator })
  await app.register(sessionEventRoutes, {
    orchestrator,
    streams,
    metrics,
    heartbeatMs: env.SSE_HEARTBEAT_MS,
    retryMs: env.SSE_RETRY_MS,
  })
  await app.register(dashboardRoutes, { db })
  await app.register(changeRoutes, {
    db,
    feed: changes,
    streams,
    heartbeatMs: env.SSE_HEARTBEAT_MS,
    retryMs: env.SSE_RETRY_MS,
  })
  await app.register(projectRoutes, { db })
  await app.register(resourceRoutes, { db })
  await app.register(quoteRoutes, { db })
  await app.register(clientRoutes, { db })
  await app.register(proposalRoutes, { db })
  return { app, streams, changes }
}
