import { randomBytes } from 'node:crypto'
import { fileURLToPath } from 'node:url'
import type { PipelineTopology, SessionEventBody, SessionStore } from '@psa/agent-pipeline'
import { deleteTopology, SessionEventWriter } from '@psa/agent-pipeline'
import type { Logger } from '@psa/config'
import type { Registry } from '@psa/lifecycle'
import type { NatsClients } from '@psa/nats'

/** What the gateway's tests use of the orchestrator's in-process server (services/orchestrator/src/server.ts). */
export interface InProcessOrchestrator {
  port: number
  store: SessionStore
  nats: NatsClients
  topology: PipelineTopology
  deadLetters: { deleteStream(): Promise<void> }
  refreshHealth(): Promise<boolean>
  stopAccepting(graceMs: number): Promise<void>
  drain(): Promise<void>
  closeConnections(): Promise<void>
}

interface OrchestratorModules {
  startOrchestrator(options: {
    env: unknown
    logger: Logger
    registry?: Registry
  }): Promise<InProcessOrchestrator>
  parseOrchestratorEnv(source: Record<string, string>): unknown
}

// The orchestrator is a service, not a library: its sources are loaded at test time (vitest compiles them),
// so the gateway's build does not depend on another service's.
async function loadOrchestrator(): Promise<OrchestratorModules> {
  const source = (file: string) =>
    fileURLToPath(new URL(`../../../orchestrator/src/${file}`, import.meta.url))
  const server = (await import(/* @vite-ignore */ source('server.ts'))) as Pick<
    OrchestratorModules,
    'startOrchestrator'
  >
  const env = (await import(/* @vite-ignore */ source('env.ts'))) as Pick<
    OrchestratorModules,
    'parseOrchestratorEnv'
  >
  return { startOrchestrator: server.startOrchestrator, parseOrchestratorEnv: env.parseOrchestratorEnv }
}

export interface RealOrchestrator {
  address: string
  server: InProcessOrchestrator
  registry?: Registry
  /** Claims the session for a worker attempt and returns a writer that emits its events, as a worker does. */
  worker(
    sessionId: string,
  ): Promise<{ attempt: number; emit(body: SessionEventBody): Promise<number>; close(): Promise<void> }>
  close(): Promise<void>
}

/** The real orchestrator on port 0, on the test database and a NATS namespace of its own. */
export async function startRealOrchestrator(options: {
  databaseUrl: string
  supabaseUrl: string
  logger: Logger
  registry?: Registry
  overrides?: Record<string, string>
}): Promise<RealOrchestrator> {
  const { startOrchestrator, parseOrchestratorEnv } = await loadOrchestrator()
  const env = parseOrchestratorEnv({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL: options.databaseUrl,
    NATS_URL: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
    PIPELINE_NAMESPACE: `t_gw_${randomBytes(4).toString('hex')}`,
    SUPABASE_URL: options.supabaseUrl,
    GRPC_PORT: '0',
    HOST: '127.0.0.1',
    HEALTH_CHECK_INTERVAL_MS: '200',
    QUEUE_METRICS_INTERVAL_MS: '1000',
    ...options.overrides,
  })
  const server = await startOrchestrator({
    env,
    logger: options.logger,
    ...(options.registry ? { registry: options.registry } : {}),
  })
  await server.refreshHealth()
  return {
    address: `127.0.0.1:${server.port}`,
    server,
    ...(options.registry ? { registry: options.registry } : {}),
    worker: async (sessionId) => {
      const started = await server.store.startAttempt(sessionId)
      if (started.kind !== 'started')
        throw new Error(`session ${sessionId} could not be started: ${started.kind}`)
      const writer = await SessionEventWriter.open({
        js: server.nats.js,
        jsm: server.nats.jsm,
        topology: server.topology,
        store: server.store,
        sessionId,
        organisationId: started.session.organisation_id,
        agent: started.session.agent_type,
        attempt: started.attempt,
        logger: options.logger,
        flushIntervalMs: 20,
      })
      return {
        attempt: started.attempt,
        emit: async (body) => (await writer.emit(body)).seq,
        close: () => writer.close(),
      }
    },
    close: async () => {
      await server.stopAccepting(1_000)
      await server.drain()
      await server.deadLetters.deleteStream()
      await deleteTopology(server.nats.jsm, server.topology)
      await server.closeConnections()
    },
  }
}
