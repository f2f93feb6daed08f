import { ConfigError } from '@psa/config'
import { BedrockModel } from '@strands-agents/sdk'
import { OpenAIModel } from '@strands-agents/sdk/models/openai'
import { afterEach, describe, expect, it } from 'vitest'
import { OfflineModel } from '../offline/offline-model.js'
import { finish } from '../offline/playbook.js'
import { CancellableAnthropicModel } from './anthropic.js'
import { type AgentModelConfig, parseAgentModelEnv } from './config.js'
import { buildModel, createModel, resetSharedModels } from './factory.js'

afterEach(() => resetSharedModels())

function configError(source: Record<string, string>): ConfigError {
  try {
    parseAgentModelEnv(source, 'agent-quotes')
  } catch (err) {
    if (err instanceof ConfigError) return err
    throw err
  }
  throw new Error('expected a ConfigError')
}

describe('model configuration', () => {
  it('defaults to the offline model', () => {
    const config = parseAgentModelEnv({})
    expect(config).toMatchObject({
      AGENT_MODEL_PROVIDER: 'offline',
      AGENT_MODEL_MAX_TOKENS: 4096,
      AGENT_MODEL_TIMEOUT_MS: 120_000,
      AGENT_MODEL_MAX_RETRIES: 2,
      AGENT_MODEL_STREAM_DELAY_MS: 0,
      OPENAI_API: 'chat',
    })
    expect(buildModel(config)).toBeInstanceOf(OfflineModel)
  })

  it('names every missing setting a provider needs', () => {
    expect(configError({ AGENT_MODEL_PROVIDER: 'openai' }).issues).toEqual([
      { variable: 'AGENT_MODEL_ID', message: 'is required when AGENT_MODEL_PROVIDER=openai' },
      { variable: 'OPENAI_API_KEY', message: 'is required unless OPENAI_BASE_URL is set' },
    ])
    expect(configError({ AGENT_MODEL_PROVIDER: 'anthropic', AGENT_MODEL_ID: 'claude' }).issues).toEqual([
      { variable: 'ANTHROPIC_API_KEY', message: 'is required when AGENT_MODEL_PROVIDER=anthropic' },
    ])
    expect(
      configError({ AGENT_MODEL_PROVIDER: 'bedrock', AGENT_MODEL_ID: 'm', AWS_ACCESS_KEY_ID: 'AKID' }).issues,
    ).toEqual([
      { variable: 'AWS_REGION', message: 'is required when AGENT_MODEL_PROVIDER=bedrock' },
      {
        variable: 'AWS_SECRET_ACCESS_KEY',
        message: 'AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY go together',
      },
    ])
    const bad = configError({
      AGENT_MODEL_PROVIDER: 'gemini',
      AGENT_MODEL_TEMPERATURE: '7',
      OPENAI_BASE_URL: 'not a url',
    })
    expect(bad.issues.map((i) => i.variable).sort()).toEqual([
      'AGENT_MODEL_PROVIDER',
      'AGENT_MODEL_TEMPERATURE',
      'OPENAI_BASE_URL',
    ])
    expect(bad.message).toContain('agent-quotes: invalid configuration')
  })

  it('builds the SDK provider classes', () => {
    const openai = buildModel(
      parseAgentModelEnv({
        AGENT_MODEL_PROVIDER: 'openai',
        AGENT_MODEL_ID: 'qwen2.5',
        OPENAI_BASE_URL: 'http://127.0.0.1:1/v1',
      }),
    )
    expect(openai).toBeInstanceOf(OpenAIModel)
    expect((openai as OpenAIModel).api).toBe('chat')
    expect(openai.getConfig()).toMatchObject({ modelId: 'qwen2.5', maxTokens: 4096 })

    const anthropic = buildModel(
      parseAgentModelEnv({
        AGENT_MODEL_PROVIDER: 'anthropic',
        AGENT_MODEL_ID: 'claude-x',
        ANTHROPIC_API_KEY: 'k',
      }),
    )
    expect(anthropic).toBeInstanceOf(CancellableAnthropicModel)
    expect(anthropic.modelId).toBe('claude-x')

    const bedrock = buildModel(
      parseAgentModelEnv({
        AGENT_MODEL_PROVIDER: 'bedrock',
        AGENT_MODEL_ID: 'anthropic.claude-x',
        AWS_REGION: 'eu-west-1',
        AGENT_MODEL_TEMPERATURE: '0.1',
      }),
    )
    expect(bedrock).toBeInstanceOf(BedrockModel)
    expect(bedrock.getConfig()).toMatchObject({
      modelId: 'anthropic.claude-x',
      temperature: 0.1,
      maxTokens: 4096,
    })
  })

  it('accepts a larger service configuration and uses only the model settings', () => {
    const env = { ...parseAgentModelEnv({}), PORT: 8080, DATABASE_URL: 'postgres://x' } as AgentModelConfig
    expect(buildModel(env)).toBeInstanceOf(OfflineModel)
  })
})

describe('createModel', () => {
  it('shares one instance per configuration in a process', () => {
    const offline = parseAgentModelEnv({})
    const first = createModel(offline)
    expect(createModel({ ...offline })).toBe(first)
    const other = createModel(parseAgentModelEnv({ AGENT_MODEL_STREAM_DELAY_MS: '10' }))
    expect(other).not.toBe(first)
    resetSharedModels()
    expect(createModel(offline)).not.toBe(first)
  })

  it('registers playbooks on the shared offline model', () => {
    const config = parseAgentModelEnv({})
    const playbook = () => finish('quoted')
    const model = createModel(config) as OfflineModel
    createModel(config, { playbooks: { quotes: playbook } })
    expect(model.playbookFor('quotes')).toBe(playbook)
  })
})
