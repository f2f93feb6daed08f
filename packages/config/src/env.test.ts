import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { ConfigError, envVars, parseEnv } from './env.js'

const schema = z.object({
  PORT: envVars.port(8080),
  DATABASE_URL: z.url(),
  FEATURE: envVars.bool(false),
})

describe('parseEnv', () => {
  it('applies defaults and coerces values', () => {
    const env = parseEnv('svc', schema, { DATABASE_URL: 'postgres://localhost/db', FEATURE: 'yes' })
    expect(env).toEqual({ PORT: 8080, DATABASE_URL: 'postgres://localhost/db', FEATURE: true })
  })

  it('treats empty strings as unset', () => {
    expect(parseEnv('svc', schema, { DATABASE_URL: 'postgres://x/y', PORT: '' }).PORT).toBe(8080)
  })

  it('names every missing or malformed variable at once', () => {
    let error: unknown
    try {
      parseEnv('gateway', schema, { PORT: 'eighty', FEATURE: 'maybe' })
    } catch (err) {
      error = err
    }
    expect(error).toBeInstanceOf(ConfigError)
    const { issues, message } = error as ConfigError
    expect(issues.map((i) => i.variable).sort()).toEqual(['DATABASE_URL', 'FEATURE', 'PORT'])
    expect(message).toContain('gateway: invalid configuration')
    expect(message).toContain('DATABASE_URL: is required but not set')
    expect(message).not.toContain('PORT: is required')
    expect(issues.find((i) => i.variable === 'PORT')?.message).toMatch(/number/i)
  })
})
