import { ConfigError, parseEnv } from '@psa/config'
import { describe, expect, it } from 'vitest'
import { agentServiceEnvSchema } from './env.js'

const schema = agentServiceEnvSchema({ opsPort: 9101 })

describe('agentServiceEnvSchema', () => {
  it('defaults to the agreed ports, limits and the offline model', () => {
    const env = parseEnv('agent-test', schema, {})
    expect(env).toMatchObject({
      OPS_PORT: 9101,
      WORKER_CONCURRENCY: 4,
      AGENT_TIMEOUT_MS: 300_000,
      AGENT_MAX_TURNS: 20,
      AGENT_MODEL_PROVIDER: 'offline',
      PIPELINE_NAMESPACE: 'psa',
      AGENT_TOOL_DELAY_MS: 0,
    })
  })

  it('names every bad variable, and refuses the test-only tool delay in production', () => {
    try {
      parseEnv('agent-test', schema, {
        WORKER_CONCURRENCY: '0',
        NODE_ENV: 'production',
        AGENT_TOOL_DELAY_MS: '100',
      })
      expect.unreachable()
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError)
      const variables = (err as ConfigError).issues.map((i) => i.variable)
      expect(variables).toEqual(expect.arrayContaining(['WORKER_CONCURRENCY']))
    }
    expect(() =>
      parseEnv('agent-test', schema, { NODE_ENV: 'production', AGENT_TOOL_DELAY_MS: '100' }),
    ).toThrow(/AGENT_TOOL_DELAY_MS: is a test setting/)
    expect(() =>
      parseEnv('agent-test', schema, { WORKER_DRAIN_TIMEOUT_MS: '30000', SHUTDOWN_TIMEOUT_MS: '25000' }),
    ).toThrow(/WORKER_DRAIN_TIMEOUT_MS/)
    expect(() => parseEnv('agent-test', schema, { AGENT_MODEL_PROVIDER: 'openai' })).toThrow(/AGENT_MODEL_ID/)
  })
})
