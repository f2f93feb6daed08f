import { agentModelEnvShape, checkAgentModelEnv } from '@psa/agent-models'
import { pipelineEnvSchema } from '@psa/agent-pipeline'
import { baseEnvSchema, envVars } from '@psa/config'
import { databaseEnvSchema } from '@psa/db'
import { natsEnvSchema } from '@psa/nats'
import { z } from 'zod'

/** The worker's own settings. */
export const agentWorkerEnvShape = {
  /** Requests one process works on at once (and the most it holds unacknowledged). */
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(4),
  /** Budget for one request; past it the session fails with AGENT_TIMEOUT. */
  AGENT_TIMEOUT_MS: envVars.durationMs(300_000),
  /** Model turns (a model call plus the tools it asked for) per request; past it AGENT_TURN_LIMIT. */
  AGENT_MAX_TURNS: z.coerce.number().int().min(1).max(200).default(20),
  /** On SIGTERM, how long in-flight requests may finish before they are handed back to the queue. */
  WORKER_DRAIN_TIMEOUT_MS: envVars.durationMs(15_000),
  /**
   * Test-only: a pause after every tool call (its effects done, its result not yet returned), so a test
   * can kill a worker in the middle of a request. Refused in production.
   */
  AGENT_TOOL_DELAY_MS: z.coerce.number().int().min(0).max(600_000).default(0),
}

/**
 * Everything an agent service reads: base, NATS, Postgres, pipeline names, the model, the worker settings
 * and the ops (health/metrics) port, with each agent's own default port.
 */
export function agentServiceEnvSchema(defaults: { opsPort: number }) {
  return baseEnvSchema
    .extend(natsEnvSchema.shape)
    .extend(databaseEnvSchema.shape)
    .extend(pipelineEnvSchema.shape)
    .extend(agentModelEnvShape)
    .extend(agentWorkerEnvShape)
    .extend({
      /** /healthz, /readyz and /metrics. */
      OPS_PORT: envVars.port(defaults.opsPort),
      OPS_HOST: z.string().min(1).default('0.0.0.0'),
    })
    .superRefine((env, ctx) => {
      checkAgentModelEnv(env, ctx)
      if (env.NODE_ENV === 'production' && env.AGENT_TOOL_DELAY_MS > 0) {
        ctx.addIssue({
          code: 'custom',
          path: ['AGENT_TOOL_DELAY_MS'],
          message: 'is a test setting; not allowed in production',
        })
      }
      if (env.WORKER_DRAIN_TIMEOUT_MS >= env.SHUTDOWN_TIMEOUT_MS) {
        ctx.addIssue({
          code: 'custom',
          path: ['WORKER_DRAIN_TIMEOUT_MS'],
          message: `must be below SHUTDOWN_TIMEOUT_MS (${env.SHUTDOWN_TIMEOUT_MS}) so handed-back work is acknowledged before exit`,
        })
      }
    })
}

export type AgentServiceEnv = z.infer<ReturnType<typeof agentServiceEnvSchema>>
