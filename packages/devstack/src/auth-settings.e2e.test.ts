import { mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createDevTokenIssuer } from '@psa/auth'
import { startJwksServer } from '@psa/auth/testing'
import { testDatabaseUrl } from '@psa/test-kit'
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { authSettings } from './auth-settings.js'
import { freeStackPorts } from './services.js'
import { type RunningStack, startStack } from './stack.js'

// The built gateway as `npm start` runs it with the user's own Supabase project: a stand-in project (its
// signing key's JWKS where Supabase serves it) issues the token, and the gateway must accept it.
const root = fileURLToPath(new URL('../../../', import.meta.url))
let stack: RunningStack
let api: string
let jwks: Awaited<ReturnType<typeof startJwksServer>>
let issuer: Awaited<ReturnType<typeof createDevTokenIssuer>>
const output: string[] = []

beforeAll(async () => {
  jwks = await startJwksServer({ keys: [] })
  issuer = await createDevTokenIssuer({
    keyFile: join(await mkdtemp(join(tmpdir(), 'psa-project-')), 'key.json'),
    supabaseUrl: jwks.origin,
    nodeEnv: 'test',
  })
  jwks.setJwks(issuer.jwks())
  const auth = authSettings({ AUTH_DEV_MODE: 'false', SUPABASE_URL: jwks.origin })
  if ('problem' in auth) throw new Error(auth.problem)
  const ports = await freeStackPorts()
  api = `http://127.0.0.1:${ports.gateway}`
  stack = startStack(
    {
      root,
      ports,
      databaseUrl: testDatabaseUrl(),
      natsUrl: 'nats://127.0.0.1:4222',
      namespace: 'authsettings',
      logLevel: 'warn',
      ...auth,
    },
    { only: ['gateway'], write: (line) => output.push(line), stopTimeoutMs: 10_000 },
  )
  const deadline = Date.now() + 60_000
  for (;;) {
    const up = await fetch(`${api}/healthz`).then(
      (r) => r.ok,
      () => false,
    )
    if (up) break
    if (Date.now() > deadline) throw new Error(`gateway did not start\n${output.join('\n')}`)
    await new Promise((r) => setTimeout(r, 250))
  }
}, 90_000)

afterAll(async () => {
  await stack?.stop()
  await jwks?.close()
})

describe('npm start with AUTH_DEV_MODE=false and SUPABASE_URL', () => {
  it("accepts the Supabase project's tokens and has no development sign-in", async () => {
    const sql = postgres(testDatabaseUrl(), { max: 1 })
    const [admin] = await sql<{ id: string; email: string }[]>`
      select id, email from auth.users where email = 'admin@northwind.example'`
    await sql.end()
    if (!admin) throw new Error('the test database has no demo data')
    const { accessToken } = await issuer.mintAccessToken({ id: admin.id, email: admin.email })
    const me = await fetch(`${api}/api/me`, { headers: { authorization: `Bearer ${accessToken}` } })
    expect(me.status).toBe(200)
    expect(((await me.json()) as { organisations: { name: string }[] }).organisations[0]?.name).toBe(
      'Northwind Consulting',
    )
    const dev = await fetch(`${api}/api/dev/token`, { method: 'POST' })
    expect(dev.status).toBe(404)
  })
})
