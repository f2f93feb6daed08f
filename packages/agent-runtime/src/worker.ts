import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream'
import type { NatsConnection, Subscription } from '@nats-io/transport-node'
import { createModel, OfflineModel, type Playbook } from '@psa/agent-models'
import { PipelineTopology, SessionStore } from '@psa/agent-pipeline'
import type { Logger } from '@psa/config'
import { Database } from '@psa/db'
import {
  createServiceContext,
  type Registry,
  type ServiceContext,
  ShutdownPhase,
  startOpsServer,
} from '@psa/lifecycle'
import { connectNats } from '@psa/nats'
import type { Model } from '@strands-agents/sdk'
import { subscribeToCancels } from './cancel-subscription.js'
import { ConsumerLoop } from './consumer-loop.js'
import type { AgentServiceEnv } from './env.js'
import { createRuntimeMetrics, type RuntimeMetrics } from './metrics.js'
import { type AgentDefinition, SessionProcessor, type SessionProcessorOptions } from './session-processor.js'

export interface AgentWorkerDeps {
  agent: AgentDefinition
  model: Model
  nc: NatsConnection
  js: JetStreamClient
  jsm: JetStreamManager
  db: Database
  topology: PipelineTopology
  logger: Logger
  registry: Registry
  concurrency: number
  timeoutMs: number
  maxTurns: number
  /** Test and tuning knobs of the processor and loop. */
  processor?: Partial<
    Pick<
      SessionProcessorOptions,
      | 'retryBaseDelayMs'
      | 'retryMaxDelayMs'
      | 'missingSessionGraceMs'
      | 'claimHoldMs'
      | 'reasoningChunkChars'
      | 'reasoningChunkDelayMs'
      | 'toolDelayMs'
    >
  >
  pullExpiresMs?: number
}

export interface AgentWorker {
  processor: SessionProcessor
  loop: ConsumerLoop
  metrics: RuntimeMetrics
  store: SessionStore
  /** Subscribes to cancels and starts pulling work. */
  start(): void
  /** Stops pulling, lets in-flight work finish for `drainTimeoutMs`, hands the rest back, unsubscribes. */
  stop(drainTimeoutMs: number): Promise<boolean>
}

/** The worker without process concerns (signals, ops server, connections), for services and tests. */
export function createAgentWorker(deps: AgentWorkerDeps): AgentWorker {
  const metrics = createRuntimeMetrics(deps.registry)
  const store = new SessionStore(deps.db)
  const processor = new SessionProcessor({
    agent: deps.agent,
    model: deps.model,
    js: deps.js,
    jsm: deps.jsm,
    topology: deps.topology,
    store,
    db: deps.db,
    logger: deps.logger,
    metrics,
    timeoutMs: deps.timeoutMs,
    maxTurns: deps.maxTurns,
    ...deps.processor,
  })
  const loop = new ConsumerLoop({
    js: deps.js,
    topology: deps.topology,
    agentType: deps.agent.agentType,
    concurrency: deps.concurrency,
    handle: (msg) => processor.process(msg),
    logger: deps.logger,
    ...(deps.pullExpiresMs !== undefined && { pullExpiresMs: deps.pullExpiresMs }),
  })
  let cancels: Subscription | undefined
  return {
    processor,
    loop,
    metrics,
    store,
    start() {
      cancels ??= subscribeToCancels(
        deps.nc,
        deps.topology,
        (id, reason) => processor.cancel(id, reason),
        deps.logger,
      )
      loop.start()
    },
    async stop(drainTimeoutMs) {
      const finished = await loop.drain(drainTimeoutMs, () => processor.handBackAll())
      cancels?.unsubscribe()
      return finished
    },
  }
}

export interface RunAgentWorkerOptions {
  /** Service name for logs, metrics and connection names, e.g. `agent-project`. */
  service: string
  agent: AgentDefinition
  /** The offline model's behaviour for this agent (ignored by real providers). */
  playbook: Playbook
  env: AgentServiceEnv
}

export interface RunningAgentWorker {
  context: ServiceContext
  worker: AgentWorker
  opsPort: number
}

/**
 * A complete agent service: logger, metrics, health, NATS, Postgres, the model, the worker and its ops
 * server, with graceful shutdown on SIGTERM (stop pulling, finish or hand back in-flight requests, drain
 * NATS, close the pool and servers). Readiness is true only while NATS and Postgres answer and the work
 * queue consumer exists.
 */
export async function runAgentWorker(options: RunAgentWorkerOptions): Promise<RunningAgentWorker> {
  const { env, service, agent } = options
  const context = createServiceContext(service, env)
  const { logger, health, metrics: registry, shutdown } = context
  const nats = await connectNats({ env, name: service, logger })
  shutdown.register('nats', () => nats.close(), ShutdownPhase.CLOSE_CONNECTIONS)
  const db = new Database({ env, applicationName: service, logger })
  shutdown.register('postgres', () => db.close(), ShutdownPhase.CLOSE_CONNECTIONS)
  const model = createModel(env, { playbooks: { [agent.agentType]: options.playbook } })
  const worker = createAgentWorker({
    agent,
    model,
    nc: nats.nc,
    js: nats.js,
    jsm: nats.jsm,
    db,
    topology: new PipelineTopology(env),
    logger,
    registry,
    concurrency: env.WORKER_CONCURRENCY,
    timeoutMs: env.AGENT_TIMEOUT_MS,
    maxTurns: env.AGENT_MAX_TURNS,
    ...(env.AGENT_TOOL_DELAY_MS > 0 && { processor: { toolDelayMs: env.AGENT_TOOL_DELAY_MS } }),
  })
  health
    .addReadinessCheck('nats', () => nats.ping())
    .addReadinessCheck('postgres', () => db.ping())
    .addReadinessCheck('work_queue', () => worker.loop.bound)
  const ops = await startOpsServer({ port: env.OPS_PORT, host: env.OPS_HOST, health, registry, logger })
  shutdown.register('stop-pulling', () => worker.loop.stop(), ShutdownPhase.STOP_ACCEPTING)
  shutdown.register(
    'drain-work',
    () => worker.stop(env.WORKER_DRAIN_TIMEOUT_MS).then(() => {}),
    ShutdownPhase.DRAIN_WORK,
  )
  shutdown.register('ops-server', () => ops.close(), ShutdownPhase.CLOSE_CONNECTIONS)
  // Before pulling work: a worker started into a queue of requests otherwise paid for compiling the request
  // parser on its first ones (the offline model's largest one-time cost).
  if (model instanceof OfflineModel) {
    logger.debug({ warm_up_ms: Math.round(model.warmUp()) }, 'offline model warmed up')
  }
  worker.start()
  logger.info(
    {
      agent_type: agent.agentType,
      concurrency: env.WORKER_CONCURRENCY,
      model_provider: env.AGENT_MODEL_PROVIDER,
      namespace: env.PIPELINE_NAMESPACE,
    },
    'agent worker started',
  )
  return { context, worker, opsPort: ops.port }
}
