import { readFile } from 'node:fs/promises'
import { ConfigError } from '@psa/config'
import { describe, expect, it } from 'vitest'
import { parseGatewayEnv, trustProxyOption } from './env.js'

const base = { SUPABASE_URL: 'https://abcd.supabase.co' }

describe('gateway env', () => {
  it('has working defaults', () => {
    const env = parseGatewayEnv(base)
    expect(env).toMatchObject({
      PORT: 8080,
      HOST: '0.0.0.0',
      ORCHESTRATOR_ADDRESS: '127.0.0.1:50051',
      BODY_LIMIT_BYTES: 262_144,
      SSE_HEARTBEAT_MS: 15_000,
      AUTH_DEV_MODE: false,
      DEV_SIGNING_KEY_PATH: '.psa/dev-signing-key.json',
    })
    expect(env.CORS_ORIGINS).toBeUndefined()
  })

  it('needs SUPABASE_URL unless in dev mode, where it defaults to the gateway’s own origin', () => {
    expect(() => parseGatewayEnv({})).toThrow(ConfigError)
    expect(parseGatewayEnv({ AUTH_DEV_MODE: 'true', PORT: '9999' }).SUPABASE_URL).toBe(
      'http://127.0.0.1:9999',
    )
  })

  it('refuses dev mode in production, naming the variable', () => {
    try {
      parseGatewayEnv({ ...base, AUTH_DEV_MODE: 'true', NODE_ENV: 'production' })
      expect.fail('expected a ConfigError')
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError)
      expect((err as ConfigError).issues.map((i) => i.variable)).toContain('AUTH_DEV_MODE')
    }
  })

  it('parses CORS origins and names every bad variable at once', () => {
    expect(
      parseGatewayEnv({ ...base, CORS_ORIGINS: 'https://a.example, https://b.example' }).CORS_ORIGINS,
    ).toEqual(['https://a.example', 'https://b.example'])
    try {
      parseGatewayEnv({ ...base, PORT: 'http', BODY_LIMIT_BYTES: '-1', CORS_ORIGINS: 'nope' })
      expect.fail('expected a ConfigError')
    } catch (err) {
      const variables = (err as ConfigError).issues.map((i) => i.variable)
      expect(variables).toEqual(expect.arrayContaining(['PORT', 'BODY_LIMIT_BYTES']))
      expect(variables.some((v) => v.startsWith('CORS_ORIGINS'))).toBe(true)
    }
  })

  it('turns TRUST_PROXY into Fastify’s option', () => {
    expect(trustProxyOption('false')).toBe(false)
    expect(trustProxyOption('true')).toBe(true)
    expect(trustProxyOption('10.0.0.0/8, 127.0.0.1')).toEqual(['10.0.0.0/8', '127.0.0.1'])
    const hops = trustProxyOption('1') as (address: string, hop: number) => boolean
    expect(hops('10.0.0.1', 0)).toBe(true)
    expect(hops('10.0.0.1', 1)).toBe(false)
  })
})

describe('development sign-in is opt-in only', () => {
  it('is off unless AUTH_DEV_MODE is set: no default turns it on, not even the start script', async () => {
    expect(parseGatewayEnv(base).AUTH_DEV_MODE).toBe(false)
    expect(parseGatewayEnv({ ...base, AUTH_DEV_MODE: '' }).AUTH_DEV_MODE).toBe(false)
    // Without it, a gateway with no Supabase project refuses to start instead of falling back to dev sign-in.
    expect(() => parseGatewayEnv({})).toThrow(/SUPABASE_URL/)
    const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as {
      scripts: Record<string, string>
    }
    for (const script of Object.values(pkg.scripts)) expect(script).not.toMatch(/AUTH_DEV_MODE|DEV_SIGNING/)
  })

  it('cannot be reached with the production configuration every image sets', () => {
    for (const value of ['true', '1', 'yes']) {
      expect(() => parseGatewayEnv({ ...base, NODE_ENV: 'production', AUTH_DEV_MODE: value })).toThrow(
        ConfigError,
      )
    }
    expect(parseGatewayEnv({ ...base, NODE_ENV: 'production' }).AUTH_DEV_MODE).toBe(false)
  })
})
