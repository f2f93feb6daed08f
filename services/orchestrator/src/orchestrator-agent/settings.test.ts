import { ConfigError } from '@psa/config'
import { describe, expect, it } from 'vitest'
import { parseOrchestratorEnv } from '../env.js'

const minimal = { SUPABASE_URL: 'https://abcd.supabase.co/' }

function issues(source: Record<string, string>): string[] {
  try {
    parseOrchestratorEnv({ ...minimal, ...source })
  } catch (err) {
    if (err instanceof ConfigError) return err.issues.map((i) => i.variable).sort()
    throw err
  }
  return []
}

describe('orchestrator agent settings', () => {
  it('runs the agent by default with the offline model, two at a time, for up to 15 minutes a request', () => {
    expect(parseOrchestratorEnv(minimal)).toMatchObject({
      ORCHESTRATOR_AGENT_ENABLED: true,
      ORCHESTRATOR_AGENT_CONCURRENCY: 2,
      ORCHESTRATOR_AGENT_TIMEOUT_MS: 900_000,
      ORCHESTRATOR_AGENT_MAX_TURNS: 20,
      ORCHESTRATOR_AGENT_DRAIN_TIMEOUT_MS: 10_000,
      ORCHESTRATOR_CHILD_POLL_MS: 2_000,
      AGENT_MODEL_PROVIDER: 'offline',
    })
  })

  it('checks the model settings only while the agent runs here', () => {
    expect(issues({ AGENT_MODEL_PROVIDER: 'anthropic' })).toEqual(['AGENT_MODEL_ID', 'ANTHROPIC_API_KEY'])
    expect(issues({ AGENT_MODEL_PROVIDER: 'anthropic', ORCHESTRATOR_AGENT_ENABLED: 'false' })).toEqual([])
    expect(
      parseOrchestratorEnv({ ...minimal, ORCHESTRATOR_AGENT_ENABLED: '0' }).ORCHESTRATOR_AGENT_ENABLED,
    ).toBe(false)
  })

  it('refuses a drain period the shutdown budget cannot hold, and out-of-range numbers', () => {
    expect(issues({ ORCHESTRATOR_AGENT_DRAIN_TIMEOUT_MS: '30000', SHUTDOWN_TIMEOUT_MS: '25000' })).toEqual([
      'ORCHESTRATOR_AGENT_DRAIN_TIMEOUT_MS',
    ])
    expect(
      issues({
        ORCHESTRATOR_AGENT_CONCURRENCY: '0',
        ORCHESTRATOR_CHILD_POLL_MS: '10',
        ORCHESTRATOR_AGENT_ENABLED: 'maybe',
      }),
    ).toEqual(['ORCHESTRATOR_AGENT_CONCURRENCY', 'ORCHESTRATOR_AGENT_ENABLED', 'ORCHESTRATOR_CHILD_POLL_MS'])
  })
})
