import { BedrockModel, type Model } from '@strands-agents/sdk'
import { OpenAIModel } from '@strands-agents/sdk/models/openai'
import { OfflineModel } from '../offline/offline-model.js'
import type { Playbook } from '../offline/playbook.js'
import { CancellableAnthropicModel } from './anthropic.js'
import { type AgentModelConfig, agentModelEnvSchema, agentModelEnvShape } from './config.js'

export interface CreateModelOptions {
  /** Offline model only: playbooks by agent type (ignored by real providers, which need none). */
  playbooks?: Record<string, Playbook>
  fallbackPlaybook?: Playbook
}

/** Placeholder key for OpenAI-compatible servers that ignore authentication (Ollama, LM Studio). */
const NO_KEY = 'not-needed'

/** A new model for the configuration, using the Strands SDK's own provider classes. */
export function buildModel(config: AgentModelConfig, options: CreateModelOptions = {}): Model {
  const settings = agentModelEnvSchema.parse(pickModelSettings(config))
  const common = {
    maxTokens: settings.AGENT_MODEL_MAX_TOKENS,
    ...(settings.AGENT_MODEL_TEMPERATURE !== undefined && { temperature: settings.AGENT_MODEL_TEMPERATURE }),
  }
  switch (settings.AGENT_MODEL_PROVIDER) {
    case 'offline':
      return new OfflineModel({
        chunkDelayMs: settings.AGENT_MODEL_STREAM_DELAY_MS,
        ...(settings.AGENT_MODEL_ID && { modelId: settings.AGENT_MODEL_ID }),
        ...(options.playbooks && { playbooks: options.playbooks }),
        ...(options.fallbackPlaybook && { fallbackPlaybook: options.fallbackPlaybook }),
      })
    case 'openai':
      return new OpenAIModel({
        api: settings.OPENAI_API as 'chat',
        modelId: settings.AGENT_MODEL_ID,
        ...common,
        apiKey: settings.OPENAI_API_KEY ?? NO_KEY,
        clientConfig: {
          ...(settings.OPENAI_BASE_URL && { baseURL: settings.OPENAI_BASE_URL }),
          timeout: settings.AGENT_MODEL_TIMEOUT_MS,
          maxRetries: settings.AGENT_MODEL_MAX_RETRIES,
        },
      })
    case 'anthropic':
      return new CancellableAnthropicModel({
        modelId: settings.AGENT_MODEL_ID,
        ...common,
        apiKey: settings.ANTHROPIC_API_KEY ?? '',
        clientConfig: {
          ...(settings.ANTHROPIC_BASE_URL && { baseURL: settings.ANTHROPIC_BASE_URL }),
          timeout: settings.AGENT_MODEL_TIMEOUT_MS,
          maxRetries: settings.AGENT_MODEL_MAX_RETRIES,
        },
      })
    case 'bedrock': {
      const credentials =
        settings.AWS_ACCESS_KEY_ID && settings.AWS_SECRET_ACCESS_KEY
          ? {
              accessKeyId: settings.AWS_ACCESS_KEY_ID,
              secretAccessKey: settings.AWS_SECRET_ACCESS_KEY,
              ...(settings.AWS_SESSION_TOKEN && { sessionToken: settings.AWS_SESSION_TOKEN }),
            }
          : undefined
      // A Bedrock API key goes through the AWS SDK's own bearer-token auth. (The Strands `apiKey` option
      // swaps the header after SigV4 signing, so it still needs AWS credentials to exist.)
      const bearer = settings.AWS_BEARER_TOKEN_BEDROCK
      return new BedrockModel({
        modelId: settings.AGENT_MODEL_ID,
        ...common,
        ...(settings.AWS_REGION && { region: settings.AWS_REGION }),
        requestTimeout: settings.AGENT_MODEL_TIMEOUT_MS,
        clientConfig: {
          maxAttempts: settings.AGENT_MODEL_MAX_RETRIES + 1,
          ...(settings.AWS_ENDPOINT_URL_BEDROCK_RUNTIME && {
            endpoint: settings.AWS_ENDPOINT_URL_BEDROCK_RUNTIME,
          }),
          ...(credentials && { credentials }),
          ...(bearer && { token: { token: bearer }, authSchemePreference: ['httpBearerAuth'] }),
        },
      })
    }
  }
}

/** Only the model settings of a (possibly larger) service configuration. */
function pickModelSettings(
  config: Partial<AgentModelConfig> & Record<string, unknown>,
): Record<string, unknown> {
  return Object.fromEntries(
    Object.keys(agentModelEnvShape)
      .filter((key) => config[key] !== undefined)
      .map((key) => [key, config[key]]),
  )
}

const shared = new Map<string, Model>()

/**
 * The process's model for this configuration: built once, then shared by every Agent the process creates
 * (an Agent is per request; a model holds only configuration and a client, so sharing is safe). Playbooks
 * passed here are registered on a shared offline model too.
 */
export function createModel(config: AgentModelConfig, options: CreateModelOptions = {}): Model {
  const settings = pickModelSettings(config)
  const key = JSON.stringify(Object.entries(settings).sort(([a], [b]) => a.localeCompare(b)))
  let model = shared.get(key)
  if (!model) {
    model = buildModel(config, options)
    shared.set(key, model)
  } else if (model instanceof OfflineModel) {
    for (const [agentType, playbook] of Object.entries(options.playbooks ?? {}))
      model.registerPlaybook(agentType, playbook)
  }
  return model
}

/** Forgets the shared models (tests, or a configuration reload). */
export function resetSharedModels(): void {
  shared.clear()
}
