import { credentials } from '@grpc/grpc-js'
import { deleteTopology, PipelineTopology, SessionEventWriter } from '@psa/agent-pipeline'
import { createLogger, type Logger } from '@psa/config'
import { connectNats } from '@psa/nats'
import { AgentServiceClient } from '@psa/proto'
import { TEST_NATS_URL, testNamespace } from '@psa/test-kit'
import { type OrchestratorEnv, parseOrchestratorEnv } from '../env.js'
import { type Orchestrator, type OrchestratorOptions, startOrchestrator } from '../server.js'

export interface TestOrchestratorOptions {
  databaseUrl: string
  /** SUPABASE_URL: where the tokens' JWKS is served (`createTestAuth().supabaseUrl`). */
  supabaseUrl: string
  /** Names the fresh namespace (`t_<tag>_<random>`), so leftovers say whose they are. */
  tag?: string
  /** The namespace of a running instance to join (another replica); a fresh one by default. */
  namespace?: string
  /** Environment overrides (e.g. MAX_IN_FLIGHT_PER_USER). */
  env?: Record<string, string>
  /** Server options beyond the environment (logger, registry, stream tuning). */
  server?: Partial<Omit<OrchestratorOptions, 'env'>>
}

/** The orchestrator's gRPC server in-process on port 0, on its own NATS namespace, with a client. */
export interface TestOrchestrator {
  orchestrator: Orchestrator
  env: OrchestratorEnv
  logger: Logger
  /** `127.0.0.1:<port>` */
  address: string
  client: AgentServiceClient
  /** Opens the event writer a worker would hold for the session's attempt (claim it first). */
  workerWriter(sessionId: string, attempt: number, flushIntervalMs?: number): Promise<SessionEventWriter>
  /** Stops it; the instance that created the namespace also deletes its streams. */
  close(): Promise<void>
}

/**
 * Starts the orchestrator for a test, as its own tests, the gateway's and the agent stack's use it. A start
 * that fails half way removes whatever streams it had created.
 */
export async function startTestOrchestrator(options: TestOrchestratorOptions): Promise<TestOrchestrator> {
  const ownsNamespace = options.namespace === undefined
  const env = parseOrchestratorEnv({
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL: options.databaseUrl,
    NATS_URL: TEST_NATS_URL,
    PIPELINE_NAMESPACE: options.namespace ?? testNamespace(`t_${options.tag ?? 'orch'}`),
    SUPABASE_URL: options.supabaseUrl,
    GRPC_PORT: '0',
    HOST: '127.0.0.1',
    HEALTH_CHECK_INTERVAL_MS: '200',
    QUEUE_METRICS_INTERVAL_MS: '200',
    ...options.env,
  })
  const logger = options.server?.logger ?? createLogger({ service: 'orchestrator', level: env.LOG_LEVEL })
  let orchestrator: Orchestrator
  try {
    orchestrator = await startOrchestrator({ ...options.server, env, logger })
  } catch (err) {
    if (ownsNamespace) await deleteNamespace(env, logger)
    throw err
  }
  const client = new AgentServiceClient(`127.0.0.1:${orchestrator.port}`, credentials.createInsecure())
  let closed: Promise<void> | undefined
  return {
    orchestrator,
    env,
    logger,
    address: `127.0.0.1:${orchestrator.port}`,
    client,
    workerWriter: async (sessionId, attempt, flushIntervalMs) => {
      const row = await orchestrator.store.db.asService((tx) =>
        tx.selectFrom('agent_sessions').selectAll().where('id', '=', sessionId).executeTakeFirstOrThrow(),
      )
      return SessionEventWriter.open({
        js: orchestrator.nats.js,
        jsm: orchestrator.nats.jsm,
        topology: orchestrator.topology,
        log: orchestrator.store.events,
        sessionId,
        organisationId: row.organisation_id,
        agent: row.agent_type,
        attempt,
        logger,
        ...(flushIntervalMs === undefined ? {} : { flushIntervalMs }),
      })
    },
    close: () => {
      closed ??= (async () => {
        client.close()
        await orchestrator.stopAccepting(2_000)
        await orchestrator.drain()
        if (ownsNamespace) {
          await orchestrator.deadLetters.deleteStream()
          await deleteTopology(orchestrator.nats.jsm, orchestrator.topology)
        }
        await orchestrator.closeConnections()
      })()
      return closed
    },
  }
}

async function deleteNamespace(env: OrchestratorEnv, logger: Logger): Promise<void> {
  const nats = await connectNats({ env, name: 'orchestrator-test-cleanup', logger })
  const topology = new PipelineTopology(env)
  await nats.jsm.streams
    .delete(`${topology.namespace.toUpperCase()}_AGENT_DEAD_LETTER_ADVISORIES`)
    .catch(() => {})
  await deleteTopology(nats.jsm, topology).catch(() => {})
  await nats.close()
}
