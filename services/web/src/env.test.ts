import { ConfigError } from '@psa/config'
import { describe, expect, it } from 'vitest'
import { parseWebEnv } from './env.js'

describe('web env', () => {
  it('has defaults that run locally next to a gateway on 8080', () => {
    expect(parseWebEnv({})).toEqual({
      NODE_ENV: 'development',
      LOG_LEVEL: 'info',
      SHUTDOWN_TIMEOUT_MS: 25_000,
      PORT: 3000,
      HOST: '0.0.0.0',
      GATEWAY_URL: 'http://127.0.0.1:8080',
    })
  })

  it('accepts a gateway with a path prefix and drops trailing slashes', () => {
    const env = parseWebEnv({ GATEWAY_URL: 'https://gateway.psa.svc:8443/edge/', PORT: '8081' })
    expect(env.GATEWAY_URL).toBe('https://gateway.psa.svc:8443/edge')
    expect(env.PORT).toBe(8081)
  })

  it('names every bad variable at once', () => {
    let error: unknown
    try {
      parseWebEnv({ PORT: 'eighty', GATEWAY_URL: 'ftp://gateway', LOG_LEVEL: 'loud' })
    } catch (err) {
      error = err
    }
    expect(error).toBeInstanceOf(ConfigError)
    const issues = (error as ConfigError).issues
    expect(issues.map((i) => i.variable).sort()).toEqual(['GATEWAY_URL', 'LOG_LEVEL', 'PORT'])
    expect(issues.find((i) => i.variable === 'GATEWAY_URL')?.message).toBe(
      'must be an http:// or https:// URL',
    )
    expect((error as Error).message).toContain('web: invalid configuration')
  })
})
