import { agentServiceEnvSchema } from '@psa/agent-runtime'
import { loadEnv } from '@psa/config'
import type { z } from 'zod'

export const envSchema = agentServiceEnvSchema({ opsPort: 9103 })
export type Env = z.infer<typeof envSchema>

export function loadServiceEnv(): Env {
  return loadEnv('agent-quotes', envSchema)
}
