import { ConfigError } from '@psa/config'
import { describe, expect, it } from 'vitest'
import { parseOrchestratorEnv } from './env.js'

const minimal = { SUPABASE_URL: 'https://abcd.supabase.co/' }

describe('orchestrator env', () => {
  it('fills the agreed defaults around the one required setting', () => {
    const env = parseOrchestratorEnv(minimal)
    expect(env).toMatchObject({
      GRPC_PORT: 50051,
      OPS_PORT: 9090,
      HOST: '0.0.0.0',
      MAX_IN_FLIGHT_PER_USER: 10,
      CANCEL_WAIT_MS: 2000,
      PIPELINE_NAMESPACE: 'psa',
      PIPELINE_MAX_DELIVER: 5,
      NATS_URL: 'nats://127.0.0.1:4222',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/psa',
      SUPABASE_URL: 'https://abcd.supabase.co',
      AUTH_DEV_MODE: false,
    })
  })

  it('names every bad variable at once', () => {
    try {
      parseOrchestratorEnv({
        GRPC_PORT: '70000',
        MAX_IN_FLIGHT_PER_USER: '0',
        PIPELINE_NAMESPACE: 'Bad-Name',
      })
      throw new Error('expected a ConfigError')
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError)
      const variables = (err as ConfigError).issues.map((i) => i.variable).sort()
      expect(variables).toEqual(['GRPC_PORT', 'MAX_IN_FLIGHT_PER_USER', 'PIPELINE_NAMESPACE', 'SUPABASE_URL'])
    }
  })

  it('refuses development tokens in production', () => {
    expect(() => parseOrchestratorEnv({ ...minimal, NODE_ENV: 'production', AUTH_DEV_MODE: 'true' })).toThrow(
      /AUTH_DEV_MODE/,
    )
  })
})
