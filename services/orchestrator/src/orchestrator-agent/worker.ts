import { createModel, type Playbook } from '@psa/agent-models'
import { type PipelineTopology, SessionStore } from '@psa/agent-pipeline'
import { type AgentWorker, type AgentWorkerDeps, createAgentWorker } from '@psa/agent-runtime'
import type { Logger } from '@psa/config'
import type { Database } from '@psa/db'
import type { Registry } from '@psa/lifecycle'
import type { NatsClients } from '@psa/nats'
import type { OrchestratorEnv } from '../env.js'
import { createOrchestratorAgent } from './agent.js'
import { createDelegationMetrics } from './metrics.js'
import { orchestratorPlaybook } from './playbook.js'

export interface OrchestratorAgentWorkerOptions {
  env: OrchestratorEnv
  /** The service's connections: the agent shares them with the gRPC API. */
  nats: NatsClients
  db: Database
  topology: PipelineTopology
  logger: Logger
  registry: Registry
  /** The model; from AGENT_MODEL_* (offline: this service's playbook) when omitted. */
  model?: AgentWorkerDeps['model']
  playbook?: Playbook
  /** Test knobs of the runtime's processor and loop. */
  tuning?: Pick<AgentWorkerDeps, 'processor' | 'pullExpiresMs'>
}

/**
 * The worker for `orchestrator` requests, embedded in the orchestrator service (DESIGN §2): the agent
 * runtime's consumer loop and session processor with the orchestrator agent, on the service's NATS and
 * Postgres connections, logger and metrics registry. The caller starts it and stops it at shutdown.
 */
export function createOrchestratorAgentWorker(options: OrchestratorAgentWorkerOptions): AgentWorker {
  const { env, nats, db, topology, registry } = options
  const logger = options.logger.child({ component: 'orchestrator-agent' })
  const model =
    options.model ??
    createModel(env, { playbooks: { orchestrator: options.playbook ?? orchestratorPlaybook } })
  const agent = createOrchestratorAgent({
    nc: nats.nc,
    js: nats.js,
    jsm: nats.jsm,
    topology,
    store: new SessionStore(db),
    logger,
    pollMs: env.ORCHESTRATOR_CHILD_POLL_MS,
    metrics: createDelegationMetrics(registry),
  })
  return createAgentWorker({
    agent,
    model,
    nc: nats.nc,
    js: nats.js,
    jsm: nats.jsm,
    db,
    topology,
    logger,
    registry,
    concurrency: env.ORCHESTRATOR_AGENT_CONCURRENCY,
    timeoutMs: env.ORCHESTRATOR_AGENT_TIMEOUT_MS,
    maxTurns: env.ORCHESTRATOR_AGENT_MAX_TURNS,
    ...options.tuning,
  })
}
