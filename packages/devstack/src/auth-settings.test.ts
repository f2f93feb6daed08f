import { describe, expect, it } from 'vitest'
import { authSettings } from './auth-settings.js'
import { DEFAULT_PORTS, stackServices } from './services.js'

const base = {
  root: '/repo',
  ports: DEFAULT_PORTS,
  databaseUrl: 'postgres://postgres@127.0.0.1:5432/psa',
  natsUrl: 'nats://127.0.0.1:4222',
  namespace: 'psa',
  logLevel: 'info',
}

describe('npm start auth settings', () => {
  it('signs in with local development tokens unless told about a Supabase project', () => {
    expect(authSettings({})).toEqual({ authDevMode: true, notes: [] })
    expect(authSettings({ AUTH_DEV_MODE: 'true', SUPABASE_URL: 'https://abc.supabase.co' })).toMatchObject({
      authDevMode: true,
      notes: [expect.stringContaining('SUPABASE_URL is not used')],
    })
  })

  it('honours the user’s own Supabase project: SUPABASE_URL alone, or with AUTH_DEV_MODE=false', () => {
    for (const env of [
      { SUPABASE_URL: 'https://abc.supabase.co/' },
      { AUTH_DEV_MODE: 'false', SUPABASE_URL: 'https://abc.supabase.co' },
    ]) {
      expect(authSettings(env)).toMatchObject({
        authDevMode: false,
        supabase: { url: 'https://abc.supabase.co' },
      })
    }
    expect(
      authSettings({
        AUTH_DEV_MODE: '0',
        SUPABASE_URL: 'https://abc.supabase.co',
        SUPABASE_JWKS_URL: 'https://keys.example/jwks.json',
      }),
    ).toMatchObject({
      supabase: { url: 'https://abc.supabase.co', jwksUrl: 'https://keys.example/jwks.json' },
    })
    expect(authSettings({ AUTH_DEV_MODE: 'false' })).toEqual({
      problem: expect.stringContaining('needs SUPABASE_URL'),
    })
  })

  it('gives every service the project’s URL and keys instead of the gateway’s origin', () => {
    const services = stackServices({
      ...base,
      authDevMode: false,
      supabase: { url: 'https://abc.supabase.co', jwksUrl: 'https://keys.example/jwks.json' },
    })
    for (const s of services) {
      expect(s.env.SUPABASE_URL, s.name).toBe('https://abc.supabase.co')
      expect(s.env.SUPABASE_JWKS_URL, s.name).toBe('https://keys.example/jwks.json')
      expect(s.startAfter, s.name).toBeUndefined()
    }
    const byName = Object.fromEntries(services.map((s) => [s.name, s]))
    expect(byName.gateway?.env.AUTH_DEV_MODE).toBe('false')
    expect(byName.web?.env.NEXT_PUBLIC_SUPABASE_URL).toBe('https://abc.supabase.co')

    const dev = Object.fromEntries(stackServices({ ...base, authDevMode: true }).map((s) => [s.name, s]))
    expect(dev.orchestrator?.env.SUPABASE_URL).toBe('http://127.0.0.1:8080')
    expect(dev.orchestrator?.startAfter).toBe('http://127.0.0.1:8080/auth/v1/.well-known/jwks.json')
    expect(dev.web?.env.NEXT_PUBLIC_SUPABASE_URL).toBeUndefined()
    expect(() => stackServices({ ...base, authDevMode: false })).toThrow(/SUPABASE_URL/)
  })
})
