import { dirname, join } from 'node:path'
import { Server, ServerCredentials } from '@grpc/grpc-js'
import { loadSync } from '@grpc/proto-loader'
import { ReflectionService } from '@grpc/reflection'
import { ensureTopology, PipelineTopology, SessionStore } from '@psa/agent-pipeline'
import { type AccessTokenVerifier, createAccessTokenVerifier, verifierOptionsFromEnv } from '@psa/auth'
import type { Logger } from '@psa/config'
import { Database } from '@psa/db'
import { createMetricsRegistry, Health, type Registry } from '@psa/lifecycle'
import { connectNats, type NatsClients } from '@psa/nats'
import { AGENT_SERVICE_NAME, AgentServiceService, PROTO_FILES, PROTO_ROOT } from '@psa/proto'
import { HealthImplementation, protoPath as healthProtoPath } from 'grpc-health-check'
import { createAgentService } from './agent-service.js'
import { CallerLimits } from './caller-limits.js'
import { DeadLetterProcessor } from './dead-letters.js'
import type { OrchestratorEnv } from './env.js'
import { SessionEventHub } from './event-hub.js'
import type { EventStreamDeps } from './event-stream.js'
import { withSafeDecoding } from './message-decoding.js'
import { createOrchestratorMetrics, type OrchestratorMetrics } from './metrics.js'
import { startQueueDepthMetrics } from './queue-metrics.js'
import { QueuedSessionSweep } from './queued-sweep.js'

export interface OrchestratorOptions {
  env: OrchestratorEnv
  logger: Logger
  /** Readiness (shared with the ops server); a fresh one when omitted. */
  health?: Health
  /** Where the metrics go (the service's registry); a private one when omitted (tests). */
  registry?: Registry
  /** Stream tuning, for tests. */
  streams?: Pick<EventStreamDeps, 'statusPollMs' | 'finishedGraceMs'>
}

export interface Orchestrator {
  /** The port the gRPC server listens on (the actual one when GRPC_PORT is 0). */
  port: number
  health: Health
  grpcHealth: HealthImplementation
  registry: Registry
  metrics: OrchestratorMetrics
  hub: SessionEventHub
  nats: NatsClients
  db: Database
  store: SessionStore
  topology: PipelineTopology
  deadLetters: DeadLetterProcessor
  /** Re-queues committed sessions whose work item is gone (see QueuedSessionSweep). */
  queuedSweep: QueuedSessionSweep
  verifier: AccessTokenVerifier
  /** Runs the readiness checks now and publishes the result to the gRPC health service. */
  refreshHealth(): Promise<boolean>
  /**
   * Stops taking RPCs: health NOT_SERVING, open event streams end with UNAVAILABLE (clients resume
   * elsewhere), then a graceful server shutdown, forced once `graceMs` has passed.
   */
  stopAccepting(graceMs: number): Promise<void>
  /** Stops background work: dead-letter handling, queue metrics, the event subscription. */
  drain(): Promise<void>
  /** Drains NATS and closes the Postgres pool. */
  closeConnections(): Promise<void>
  /** All of the above, in order (tests). */
  close(graceMs?: number): Promise<void>
}

const SERVICES = ['', AGENT_SERVICE_NAME] as const

/** The services reflection describes: ours and the standard health service. */
function reflectionService(): ReflectionService {
  const healthRoot = join(dirname(healthProtoPath), '..', '..')
  const definition = loadSync([...PROTO_FILES, 'health/v1/health.proto'], {
    includeDirs: [PROTO_ROOT, healthRoot],
    keepCase: true,
  })
  return new ReflectionService(definition)
}

function bind(server: Server, address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(address, ServerCredentials.createInsecure(), (err, port) =>
      err ? reject(err) : resolve(port),
    )
  })
}

/**
 * Connects to NATS and Postgres, creates the JetStream topology, and serves AgentService with the standard
 * health service and server reflection on GRPC_PORT. Everything a process needs except the signal
 * handling and the ops HTTP server (main.ts), so tests run it in-process on port 0.
 */
export async function startOrchestrator(options: OrchestratorOptions): Promise<Orchestrator> {
  const { env, logger } = options
  const health = options.health ?? new Health()
  const registry = options.registry ?? createMetricsRegistry('orchestrator')
  const metrics = createOrchestratorMetrics(registry)
  const topology = new PipelineTopology(env)
  const nats = await connectNats({ env, name: 'orchestrator', logger })
  const db = new Database({ env, applicationName: 'psa-orchestrator', logger })
  const closeConnections = async () => {
    await nats.close()
    await db.close()
  }
  try {
    await ensureTopology(nats.jsm, topology)
    const store = new SessionStore(db)
    const verifier = createAccessTokenVerifier({
      ...verifierOptionsFromEnv(env),
      onJwksError: (err, servingStaleKeys) => logger.warn({ err, servingStaleKeys }, 'JWKS fetch failed'),
    })
    // Readiness is Postgres and NATS only. The signing keys are not: in local development the gateway
    // serves them, and a gateway that waits for this service to be ready would then never start.
    health.addReadinessCheck('postgres', () => db.ping()).addReadinessCheck('nats', () => nats.ping())
    // Load them ahead of the first request, retrying until they come (the gateway serving them in
    // development may start after us); a request meanwhile gets UNAVAILABLE, never a wrong 401.
    const loadKeys = (attempt: number): void => {
      verifier.ensureKeys().catch((err: unknown) => {
        if (attempt === 1 || attempt % 30 === 0) logger.warn({ err, attempt }, 'signing keys not loaded yet')
        setTimeout(() => loadKeys(attempt + 1), 1_000).unref()
      })
    }
    loadKeys(1)

    const hub = new SessionEventHub(nats.nc, topology, logger)
    hub.start()
    const deadLetters = new DeadLetterProcessor({
      js: nats.js,
      jsm: nats.jsm,
      topology,
      store,
      logger,
      metrics,
    })
    await deadLetters.ensure()
    await deadLetters.start()
    const queuedSweep = new QueuedSessionSweep({
      store,
      js: nats.js,
      jsm: nats.jsm,
      topology,
      logger,
      olderThanMs: env.QUEUED_SWEEP_AFTER_MS,
      intervalMs: env.QUEUED_SWEEP_INTERVAL_MS,
    })
    queuedSweep.start()
    const queueMetrics = startQueueDepthMetrics({
      jsm: nats.jsm,
      topology,
      metrics,
      intervalMs: env.QUEUE_METRICS_INTERVAL_MS,
      logger,
    })

    const shutdown = new AbortController()
    const server = new Server({
      'grpc.max_receive_message_length': env.GRPC_MAX_RECEIVE_BYTES,
      // Metadata (the bearer token, traceparent) beyond this is refused before any handler runs.
      'grpc.max_metadata_size': 32 * 1024,
      // Finds clients that vanished without closing their streams.
      'grpc.keepalive_time_ms': 30_000,
      'grpc.keepalive_timeout_ms': 10_000,
      // Nothing serves channelz here; tracking it costs clock reads and counters on every call.
      'grpc.enable_channelz': 0,
    })
    server.addService(
      withSafeDecoding(AgentServiceService),
      createAgentService({
        store,
        nc: nats.nc,
        js: nats.js,
        jsm: nats.jsm,
        topology,
        hub,
        metrics,
        logger,
        verifier,
        shutdownSignal: shutdown.signal,
        limits: new CallerLimits({
          ratePerMinute: env.RPC_RATE_LIMIT_PER_MINUTE,
          maxStreamsPerUser: env.MAX_STREAMS_PER_USER,
        }),
        maxInFlightPerUser: env.MAX_IN_FLIGHT_PER_USER,
        cancelWaitMs: env.CANCEL_WAIT_MS,
        queueAvailable: () => nats.connected(),
        admissionTimeoutMs: env.ADMISSION_TIMEOUT_MS,
        ...(options.streams ? { streams: options.streams } : {}),
      }),
    )
    const grpcHealth = new HealthImplementation(Object.fromEntries(SERVICES.map((s) => [s, 'NOT_SERVING'])))
    grpcHealth.addToServer(server)
    reflectionService().addToServer(server)
    const port = await bind(server, `${env.HOST}:${env.GRPC_PORT}`)

    let stopping = false
    const refreshHealth = async () => {
      const report = await health.readiness()
      const status = report.ready && !stopping ? 'SERVING' : 'NOT_SERVING'
      for (const service of SERVICES) grpcHealth.setStatus(service, status)
      return report.ready
    }
    await refreshHealth()
    let checking = false
    const healthTimer = setInterval(() => {
      // A check that hangs until its timeout must not pile up behind the next tick.
      if (checking) return
      checking = true
      void refreshHealth().finally(() => {
        checking = false
      })
    }, env.HEALTH_CHECK_INTERVAL_MS)
    healthTimer.unref()
    logger.info({ port, namespace: topology.namespace }, 'orchestrator listening')

    let stopped: Promise<void> | undefined
    let drained: Promise<void> | undefined
    let closed: Promise<void> | undefined
    const stopAccepting = (graceMs: number) => {
      stopped ??= (async () => {
        stopping = true
        clearInterval(healthTimer)
        for (const service of SERVICES) grpcHealth.setStatus(service, 'NOT_SERVING')
        shutdown.abort()
        await new Promise<void>((resolve) => {
          const force = setTimeout(() => {
            logger.warn({ grace_ms: graceMs }, 'RPCs still running at the shutdown deadline: cancelling them')
            server.forceShutdown()
            resolve()
          }, graceMs)
          server.tryShutdown(() => {
            clearTimeout(force)
            resolve()
          })
        })
        logger.info('gRPC server stopped')
      })()
      return stopped
    }
    const drain = () => {
      drained ??= (async () => {
        queueMetrics.stop()
        await queuedSweep.stop()
        await deadLetters.stop()
        hub.stop()
      })()
      return drained
    }
    const closeAll = () => {
      closed ??= closeConnections()
      return closed
    }
    return {
      port,
      health,
      grpcHealth,
      registry,
      metrics,
      hub,
      nats,
      db,
      store,
      topology,
      deadLetters,
      queuedSweep,
      verifier,
      refreshHealth,
      stopAccepting,
      drain,
      closeConnections: closeAll,
      close: async (graceMs = 5_000) => {
        await stopAccepting(graceMs)
        await drain()
        await closeAll()
      },
    }
  } catch (err) {
    await closeConnections().catch(() => {})
    throw err
  }
}
