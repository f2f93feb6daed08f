import type { AddressInfo } from 'node:net'
import { type AccessTokenVerifier, createAccessTokenVerifier } from '@psa/auth'
import type { Database } from '@psa/db'
import { createMetricsRegistry, Health } from '@psa/lifecycle'
import {
  createTenant,
  createTestAuth,
  LogCapture,
  openTestDatabase,
  silentLogger,
  type Tenant,
  type TenantUserKey,
  type TestAuth,
  testDatabaseUrl,
} from '@psa/test-kit'
import type { FastifyInstance } from 'fastify'
import { buildGatewayApp, type GatewayAppOptions } from '../app.js'
import { parseGatewayEnv } from '../env.js'
import { createGatewayMetrics, type GatewayMetrics } from '../metrics.js'
import { OrchestratorClient } from '../orchestrator/client.js'
import type { SessionStreamRegistry } from '../sse/session-stream.js'
import { type RealOrchestrator, startRealOrchestrator } from './orchestrator.js'

/** A parsed JSON response body in tests, where asserting on its fields is the point. */
// biome-ignore lint/suspicious/noExplicitAny: test assertions walk arbitrary JSON
export type JsonBody = any

export interface HarnessOptions {
  /** Run the real orchestrator in-process (needs NATS); otherwise the gateway points at a dead address. */
  orchestrator?: boolean
  env?: Record<string, string>
  /** Listen on a real socket (SSE tests); app.inject works either way. */
  listen?: boolean
  logLevel?: string
  /** Environment overrides for the in-process orchestrator. */
  orchestratorEnv?: Record<string, string>
}

export interface GatewayHarness {
  app: FastifyInstance
  streams: SessionStreamRegistry
  db: Database
  tenant: Tenant
  auth: TestAuth
  metrics: GatewayMetrics
  health: Health
  logs: LogCapture
  verifier: AccessTokenVerifier
  orchestrator: RealOrchestrator | undefined
  client: OrchestratorClient
  /** http://127.0.0.1:<port> when listening. */
  baseUrl: string
  token(user: TenantUserKey, options?: { ttlSec?: number; now?: Date }): Promise<string>
  bearer(user: TenantUserKey): Promise<{ authorization: string }>
  close(): Promise<void>
}

export const TEST_ENV = {
  NODE_ENV: 'test',
  RATE_LIMIT_PER_MINUTE: '100000',
  SSE_HEARTBEAT_MS: '15000',
}

export async function startGatewayHarness(options: HarnessOptions = {}): Promise<GatewayHarness> {
  const db = openTestDatabase()
  const tenant = await createTenant(db)
  const auth = await createTestAuth()
  const logs = new LogCapture('gateway', options.logLevel ?? 'info')
  const registry = createMetricsRegistry('gateway')
  const metrics = createGatewayMetrics(registry)
  const orchestrator = options.orchestrator
    ? await startRealOrchestrator({
        databaseUrl: testDatabaseUrl(),
        supabaseUrl: auth.supabaseUrl,
        logger: silentLogger('orchestrator'),
        registry: createMetricsRegistry('orchestrator'),
        ...(options.orchestratorEnv ? { overrides: options.orchestratorEnv } : {}),
      })
    : undefined
  const env = parseGatewayEnv({
    ...TEST_ENV,
    DATABASE_URL: testDatabaseUrl(),
    SUPABASE_URL: auth.supabaseUrl,
    // Port 9 (discard) on loopback: nothing listens, calls fail fast with UNAVAILABLE.
    ORCHESTRATOR_ADDRESS: orchestrator?.address ?? '127.0.0.1:9',
    ORCHESTRATOR_TIMEOUT_MS: '3000',
    ...options.env,
  })
  const client = new OrchestratorClient({
    address: env.ORCHESTRATOR_ADDRESS,
    timeoutMs: env.ORCHESTRATOR_TIMEOUT_MS,
    metrics,
  })
  const verifier = createAccessTokenVerifier({ supabaseUrl: auth.supabaseUrl })
  const health = new Health({ checkTimeoutMs: 1_500 })
  health
    .addReadinessCheck('postgres', () => db.ping())
    .addReadinessCheck('orchestrator', () => client.checkHealth())
  const appOptions: GatewayAppOptions = {
    env,
    logger: logs.logger,
    db,
    orchestrator: client,
    verifier,
    health,
    metrics,
  }
  const { app, streams } = await buildGatewayApp(appOptions)
  let baseUrl = ''
  let closed = false
  app.addHook('onClose', async () => {
    closed = true
  })
  if (options.listen) {
    await app.listen({ port: 0, host: '127.0.0.1' })
    baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
  } else {
    await app.ready()
  }
  const token = (user: TenantUserKey, opts: { ttlSec?: number; now?: Date } = {}) =>
    auth.token(tenant.users[user], opts)
  return {
    app,
    streams,
    db,
    tenant,
    auth,
    metrics,
    health,
    logs,
    verifier,
    orchestrator,
    client,
    baseUrl,
    token,
    bearer: (user) => auth.bearer(tenant.users[user]),
    close: async () => {
      if (!closed) await app.close()
      client.close()
      await orchestrator?.close()
      await auth.close()
      await tenant.drop()
      await db.close()
    },
  }
}
