import { envVars, parseEnv } from '@psa/config'
import { z } from 'zod'

export const modelProviderSchema = z.enum(['offline', 'openai', 'anthropic', 'bedrock'])
export type ModelProvider = z.infer<typeof modelProviderSchema>

/**
 * The model settings every agent service reads from its environment. Merge it into a service's own schema
 * (`baseEnvSchema.extend(agentModelEnvShape)`) or parse it alone with `parseAgentModelEnv`.
 */
export const agentModelEnvShape = {
  AGENT_MODEL_PROVIDER: modelProviderSchema.default('offline'),
  /** Required for every provider but offline: the model to call (e.g. "gpt-4.1", "llama3.1", a Bedrock model id). */
  AGENT_MODEL_ID: z.string().min(1).optional(),
  AGENT_MODEL_MAX_TOKENS: z.coerce.number().int().positive().default(4096),
  AGENT_MODEL_TEMPERATURE: z.coerce.number().min(0).max(2).optional(),
  /** Per-request timeout for provider calls. */
  AGENT_MODEL_TIMEOUT_MS: envVars.durationMs(120_000),
  /** Retries the provider's own client makes on network errors and 429/5xx. */
  AGENT_MODEL_MAX_RETRIES: z.coerce.number().int().min(0).max(10).default(2),
  /** Offline model only: pause between streamed deltas (a demo nicety; output is unchanged). */
  AGENT_MODEL_STREAM_DELAY_MS: z.coerce.number().int().min(0).max(5_000).default(0),
  /** Any OpenAI-compatible server: Ollama (http://host:11434/v1), vLLM, LM Studio. */
  OPENAI_BASE_URL: z.url().optional(),
  OPENAI_API_KEY: z.string().min(1).optional(),
  /** Chat Completions is what compatible servers implement; "responses" is OpenAI's newer API. */
  OPENAI_API: z.enum(['chat', 'responses']).default('chat'),
  ANTHROPIC_API_KEY: z.string().min(1).optional(),
  ANTHROPIC_BASE_URL: z.url().optional(),
  AWS_REGION: z.string().min(1).optional(),
  /** The AWS SDK's own name for a Bedrock Runtime endpoint override (VPC endpoint, proxy, test server). */
  AWS_ENDPOINT_URL_BEDROCK_RUNTIME: z.url().optional(),
  /** Bedrock API key; without it the AWS default credential chain is used (env, web identity, instance role). */
  AWS_BEARER_TOKEN_BEDROCK: z.string().min(1).optional(),
  AWS_ACCESS_KEY_ID: z.string().min(1).optional(),
  AWS_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  AWS_SESSION_TOKEN: z.string().min(1).optional(),
}

type Settings = z.infer<z.ZodObject<typeof agentModelEnvShape>>

/** Cross-field rules: each provider names the settings it cannot work without. */
export function checkAgentModelEnv(env: Settings, ctx: z.RefinementCtx): void {
  const require = (key: keyof Settings, why: string) => {
    if (env[key] === undefined) ctx.addIssue({ code: 'custom', path: [key], message: `is required ${why}` })
  }
  const provider = env.AGENT_MODEL_PROVIDER
  if (provider !== 'offline') require('AGENT_MODEL_ID', `when AGENT_MODEL_PROVIDER=${provider}`)
  // A local OpenAI-compatible server usually needs no key; api.openai.com always does.
  if (provider === 'openai' && !env.OPENAI_BASE_URL)
    require('OPENAI_API_KEY', 'unless OPENAI_BASE_URL is set')
  if (provider === 'anthropic') require('ANTHROPIC_API_KEY', 'when AGENT_MODEL_PROVIDER=anthropic')
  if (provider === 'bedrock') require('AWS_REGION', 'when AGENT_MODEL_PROVIDER=bedrock')
  if (Boolean(env.AWS_ACCESS_KEY_ID) !== Boolean(env.AWS_SECRET_ACCESS_KEY)) {
    ctx.addIssue({
      code: 'custom',
      path: [env.AWS_ACCESS_KEY_ID ? 'AWS_SECRET_ACCESS_KEY' : 'AWS_ACCESS_KEY_ID'],
      message: 'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY go together',
    })
  }
}

export const agentModelEnvSchema = z.object(agentModelEnvShape).superRefine(checkAgentModelEnv)
export type AgentModelConfig = z.infer<typeof agentModelEnvSchema>

/** Parses the model settings (default `process.env`); throws a ConfigError naming every bad variable. */
export function parseAgentModelEnv(
  source: Record<string, string | undefined> = process.env,
  service = 'agent-models',
): AgentModelConfig {
  return parseEnv(service, agentModelEnvSchema, source)
}
