import { baseEnvSchema, ConfigError, parseEnv } from '@psa/config'
import { AppError } from '@psa/errors'
import { describe, expect, it } from 'vitest'
import {
  assertDevModeAllowed,
  authEnvSchema,
  authEnvShape,
  refineAuthEnv,
  verifierOptionsFromEnv,
} from './env.js'

const SECRET = 'super-secret-jwt-token-with-at-least-32-characters-long'

function configError(fn: () => unknown): ConfigError {
  try {
    fn()
  } catch (err) {
    if (err instanceof ConfigError) return err
    throw err
  }
  throw new Error('expected a ConfigError')
}

describe('auth env', () => {
  it('parses the minimal configuration with defaults and derives the JWKS URL', () => {
    const env = parseEnv('gateway', authEnvSchema, { SUPABASE_URL: 'https://abcd.supabase.co/' })
    expect(env).toEqual({
      NODE_ENV: 'development',
      SUPABASE_URL: 'https://abcd.supabase.co',
      AUTH_DEV_MODE: false,
      AUTH_CLOCK_TOLERANCE_S: 30,
    })
    expect(verifierOptionsFromEnv(env)).toEqual({
      supabaseUrl: 'https://abcd.supabase.co',
      jwksUrl: 'https://abcd.supabase.co/auth/v1/.well-known/jwks.json',
      clockToleranceSec: 30,
    })
  })

  it('passes an explicit JWKS URL, the legacy secret and the tolerance through', () => {
    const env = parseEnv('gateway', authEnvSchema, {
      SUPABASE_URL: 'http://127.0.0.1:54321',
      SUPABASE_JWKS_URL: 'http://kong:8000/auth/v1/.well-known/jwks.json',
      SUPABASE_JWT_SECRET: SECRET,
      AUTH_CLOCK_TOLERANCE_S: '5',
      AUTH_DEV_MODE: 'true',
    })
    expect(env.AUTH_DEV_MODE).toBe(true)
    expect(verifierOptionsFromEnv(env)).toEqual({
      supabaseUrl: 'http://127.0.0.1:54321',
      jwksUrl: 'http://kong:8000/auth/v1/.well-known/jwks.json',
      jwtSecret: SECRET,
      clockToleranceSec: 5,
    })
  })

  it('names every bad variable: URLs, short secret, tolerance, missing SUPABASE_URL', () => {
    const err = configError(() =>
      parseEnv('gateway', authEnvSchema, {
        SUPABASE_JWKS_URL: 'ftp://example.com/jwks',
        SUPABASE_JWT_SECRET: 'short',
        AUTH_CLOCK_TOLERANCE_S: '-1',
        AUTH_DEV_MODE: 'maybe',
      }),
    )
    expect(err.issues.map((i) => i.variable).sort()).toEqual([
      'AUTH_CLOCK_TOLERANCE_S',
      'AUTH_DEV_MODE',
      'SUPABASE_JWKS_URL',
      'SUPABASE_JWT_SECRET',
      'SUPABASE_URL',
    ])
    expect(err.message).toContain('SUPABASE_URL: is required but not set')
    expect(err.message).toContain('at least 32 characters')
    expect(
      configError(() => parseEnv('g', authEnvSchema, { SUPABASE_URL: 'not a url' })).issues[0]?.variable,
    ).toBe('SUPABASE_URL')
  })

  it('refuses dev mode in production with a clear message, in the merged service schema too', () => {
    const env = { SUPABASE_URL: 'https://abcd.supabase.co', AUTH_DEV_MODE: 'true', NODE_ENV: 'production' }
    const own = configError(() => parseEnv('gateway', authEnvSchema, env))
    expect(own.issues).toEqual([expect.objectContaining({ variable: 'AUTH_DEV_MODE' })])
    expect(own.message).toContain('must not be true when NODE_ENV=production')

    const serviceSchema = baseEnvSchema.extend(authEnvShape).superRefine(refineAuthEnv)
    const merged = configError(() => parseEnv('gateway', serviceSchema, env))
    expect(merged.issues.map((i) => i.variable)).toEqual(['AUTH_DEV_MODE'])
    expect(parseEnv('gateway', serviceSchema, { ...env, AUTH_DEV_MODE: 'false' }).NODE_ENV).toBe('production')
    expect(parseEnv('gateway', serviceSchema, { ...env, NODE_ENV: 'development' }).AUTH_DEV_MODE).toBe(true)
  })

  it('assertDevModeAllowed throws FORBIDDEN in production only', () => {
    expect(() => assertDevModeAllowed('development')).not.toThrow()
    expect(() => assertDevModeAllowed('test')).not.toThrow()
    let thrown: unknown
    try {
      assertDevModeAllowed('production')
    } catch (err) {
      thrown = err
    }
    expect(thrown).toBeInstanceOf(AppError)
    expect(thrown).toMatchObject({ code: 'FORBIDDEN', details: { reason: 'dev_mode_in_production' } })
  })
})
