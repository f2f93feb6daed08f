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
    /** How often the readiness checks feed the gRPC health service. */
    HEALTH_CHECK_INTERVAL_MS: envVars.durationMs(2_000),
    /** How often the queue depth gauges are refreshed from the consumers. */
    QUEUE_METRICS_INTERVAL_MS: envVars.durationMs(5_000),
    /** How long CancelSession waits for a running session's worker to confirm before answering. */
    CANCEL_WAIT_MS: z.coerce.number().int().min(0).max(30_000).default(2_000),
  })
  .superRefine(refineAuthEnv)

export type OrchestratorEnv = z.infer<typeof orchestratorEnvSchema>

export function parseOrchestratorEnv(
  source: Record<string, string | undefined> = process.env,
): OrchestratorEnv {
  return parseEnv('orchestrator', orchestratorEnvSchema, source)
}

export function loadOrchestratorEnv(): OrchestratorEnv {
  return loadEnv('orchestrator', orchestratorEnvSchema)
}
