import { resolve } from 'node:path'
import { createAccessTokenVerifier, createDevTokenIssuer, verifierOptionsFromEnv } from '@psa/auth'
import { Database } from '@psa/db'
import { createServiceContext, ShutdownPhase } from '@psa/lifecycle'
import { buildGatewayApp } from './app.js'
import { loadGatewayEnv } from './env.js'
import { createGatewayMetrics } from './metrics.js'
import { OrchestratorClient } from './orchestrator/client.js'

const env = loadGatewayEnv()
const { logger, health, metrics: registry, shutdown } = createServiceContext('gateway', env)
const metrics = createGatewayMetrics(registry)

const db = new Database({ env, applicationName: 'psa-gateway', logger })
const listenDb = env.DATABASE_LISTEN_URL
  ? new Database({
      env: { ...env, DATABASE_URL: env.DATABASE_LISTEN_URL, DATABASE_POOL_MAX: 1 },
      applicationName: 'psa-gateway-changes',
      logger,
    })
  : undefined
const orchestrator = new OrchestratorClient({
  address: env.ORCHESTRATOR_ADDRESS,
  timeoutMs: env.ORCHESTRATOR_TIMEOUT_MS,
  metrics,
})
const verifier = createAccessTokenVerifier({
  ...verifierOptionsFromEnv(env),
  onJwksError: (err, servingStaleKeys) => logger.warn({ err, servingStaleKeys }, 'JWKS fetch failed'),
})
const devIssuer = env.AUTH_DEV_MODE
  ? await createDevTokenIssuer({
      keyFile: resolve(env.DEV_SIGNING_KEY_PATH),
      supabaseUrl: env.SUPABASE_URL,
      nodeEnv: env.NODE_ENV,
    })
  : undefined

health
  .addReadinessCheck('postgres', () => db.ping())
  .addReadinessCheck('orchestrator', () => orchestrator.checkHealth())
  .addReadinessCheck('auth_keys', () => verifier.ensureKeys())

const { app } = await buildGatewayApp({
  env,
  logger,
  db,
  orchestrator,
  verifier,
  devIssuer,
  health,
  metrics,
  ...(listenDb ? { listenDb } : {}),
})

// close() ends event streams with a reconnect hint, stops listening and waits for in-flight requests.
shutdown.register('http server', () => app.close(), ShutdownPhase.STOP_ACCEPTING)
shutdown.register('orchestrator channel', () => orchestrator.close(), ShutdownPhase.CLOSE_CONNECTIONS)
shutdown.register('postgres', () => db.close(), ShutdownPhase.CLOSE_CONNECTIONS)
if (listenDb) shutdown.register('postgres listen', () => listenDb.close(), ShutdownPhase.CLOSE_CONNECTIONS)

await app.listen({ port: env.PORT, host: env.HOST })
logger.info(
  {
    port: env.PORT,
    orchestrator: env.ORCHESTRATOR_ADDRESS,
    auth_issuer: verifier.issuer,
    dev_mode: env.AUTH_DEV_MODE,
  },
  'gateway listening',
)
if (devIssuer) {
  logger.warn(
    { key_file: devIssuer.keyFile, jwks: verifier.jwksUrl },
    `AUTH_DEV_MODE: tokens are signed with a local key. Get one with: curl -s -X POST ${env.SUPABASE_URL}/api/dev/token -H 'content-type: application/json' -d '{"email":"admin@northwind.example"}'`,
  )
}
