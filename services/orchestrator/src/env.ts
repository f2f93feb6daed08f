import { agentModelEnvShape, checkAgentModelEnv } from '@psa/agent-models'
import { pipelineEnvSchema } from '@psa/agent-pipeline'
import { authEnvShape, refineAuthEnv } from '@psa/auth'
import { baseEnvSchema, envVars, loadEnv, parseEnv } from '@psa/config'
import { databaseEnvSchema } from '@psa/db'
import { natsEnvSchema } from '@psa/nats'
import { z } from 'zod'

export const orchestratorEnvSchema = baseEnvSchema
  .extend(natsEnvSchema.shape)
  .extend(databaseEnvSchema.shape)
  .extend(pipelineEnvSchema.shape)
  .extend(authEnvShape)
  .extend({
    GRPC_PORT: envVars.port(50051),
    /** /healthz, /readyz and /metrics. */
    OPS_PORT: envVars.port(9090),
    // All interfaces by default: in a pod the kubelet probes and the Service reach the container by its IP.
    HOST: z.string().min(1).default('0.0.0.0'),
    /** Queued plus running sessions one user may have at once; more are refused with TOO_MANY_IN_FLIGHT. */
    MAX_IN_FLIGHT_PER_USER: envVars.positiveInt(10),
    /**
     * Longest one admission may take (Postgres frozen, unreachable or saturated) before the submit answers
     * UNAVAILABLE, which the gateway turns into 503 with Retry-After, instead of holding the caller.
     */
    ADMISSION_TIMEOUT_MS: envVars.durationMs(2_000),
    /**
     * RPCs per user per minute, over the gateway and direct gRPC clients alike (RATE_LIMITED beyond). Above
     * the gateway's own per-user limit, which it reaches through this one.
     */
    RPC_RATE_LIMIT_PER_MINUTE: envVars.positiveInt(1_200),
    /** Open StreamSessionEvents calls per user (TOO_MANY_STREAMS beyond); each holds a listener and reads. */
    MAX_STREAMS_PER_USER: envVars.positiveInt(16),
    /** Largest request message accepted (RESOURCE_EXHAUSTED beyond): a full request and context fit. */
    GRPC_MAX_RECEIVE_BYTES: envVars.positiveInt(256 * 1024),
    /**
     * A session queued for longer than this is checked for its work item in JetStream, and queued again if
     * it has none (its admission commit outlasted the workers' wait for it).
     */
    QUEUED_SWEEP_AFTER_MS: envVars.durationMs(180_000),
    /** How often that check runs (0: never). */
    QUEUED_SWEEP_INTERVAL_MS: z.coerce.number().int().min(0).default(30_000),
    /** How often the readiness checks feed the gRPC health service. */
    HEALTH_CHECK_INTERVAL_MS: envVars.durationMs(2_000),
    /** How often the queue depth gauges are refreshed from the consumers. */
    QUEUE_METRICS_INTERVAL_MS: envVars.durationMs(5_000),
    /** How long CancelSession waits for a running session's worker to confirm before answering. */
    CANCEL_WAIT_MS: z.coerce.number().int().min(0).max(30_000).default(2_000),
    /**
     * Runs the orchestrator agent (requests of type `orchestrator`) in this process. Turn it off to scale the
     * gRPC API apart from the agent: then some other orchestrator process must run it.
     */
    ORCHESTRATOR_AGENT_ENABLED: envVars.bool(true),
    /** Orchestrator requests this process works on at once (each mostly waits for its specialists). */
    ORCHESTRATOR_AGENT_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
    /**
     * Budget for one orchestrator request, the specialists' queue waits and runs included; past it the
     * request fails with AGENT_TIMEOUT and its running child is cancelled.
     */
    ORCHESTRATOR_AGENT_TIMEOUT_MS: envVars.durationMs(900_000),
    /** Model turns per orchestrator request (a turn is a model call plus the delegations it asked for). */
    ORCHESTRATOR_AGENT_MAX_TURNS: z.coerce.number().int().min(1).max(200).default(20),
    /**
     * On SIGTERM, how long running orchestrator requests may finish before they are handed back; their
     * children keep running and the next attempt re-attaches to them.
     */
    ORCHESTRATOR_AGENT_DRAIN_TIMEOUT_MS: envVars.durationMs(10_000),
    /** How often a delegation re-reads its child session, in case a live event was missed. */
    ORCHESTRATOR_CHILD_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(2_000),
  })
  .extend(agentModelEnvShape)
  .superRefine(refineAuthEnv)
  .superRefine((env, ctx) => {
    if (!env.ORCHESTRATOR_AGENT_ENABLED) return
    checkAgentModelEnv(env, ctx)
    if (env.ORCHESTRATOR_AGENT_DRAIN_TIMEOUT_MS >= env.SHUTDOWN_TIMEOUT_MS) {
      ctx.addIssue({
        code: 'custom',
        path: ['ORCHESTRATOR_AGENT_DRAIN_TIMEOUT_MS'],
        message: `must be below SHUTDOWN_TIMEOUT_MS (${env.SHUTDOWN_TIMEOUT_MS}) so handed-back work is acknowledged before exit`,
      })
    }
  })

export type OrchestratorEnv = z.infer<typeof orchestratorEnvSchema>

export function parseOrchestratorEnv(
  source: Record<string, string | undefined> = process.env,
): OrchestratorEnv {
  return parseEnv('orchestrator', orchestratorEnvSchema, source)
}

export function loadOrchestratorEnv(): OrchestratorEnv {
  return loadEnv('orchestrator', orchestratorEnvSchema)
}
