import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createAccessTokenVerifier, createDevTokenIssuer, verifierOptionsFromEnv } from '@psa/auth'
import type { Database } from '@psa/db'
import { createMetricsRegistry, Health } from '@psa/lifecycle'
import { freePort, LogCapture, openTestDatabase, testDatabaseUrl } from '@psa/test-kit'
import type { FastifyInstance } from 'fastify'
import { decodeJwt, decodeProtectedHeader } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { buildGatewayApp } from '../app.js'
import { parseGatewayEnv } from '../env.js'
import { createGatewayMetrics } from '../metrics.js'
import { OrchestratorClient } from '../orchestrator/client.js'
import { type GatewayHarness, type JsonBody, startGatewayHarness } from '../testing/harness.js'

// The gateway as `npm start` runs it: AUTH_DEV_MODE, SUPABASE_URL its own origin, tokens verified through the
// JWKS it serves itself.
let app: FastifyInstance
let db: Database
let dir: string
let origin: string
let client: OrchestratorClient

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'psa-gateway-dev-'))
  const port = await freePort()
  const env = parseGatewayEnv({
    NODE_ENV: 'development',
    AUTH_DEV_MODE: 'true',
    PORT: String(port),
    DATABASE_URL: testDatabaseUrl(),
    ORCHESTRATOR_ADDRESS: '127.0.0.1:9',
    DEV_SIGNING_KEY_PATH: join(dir, 'dev-signing-key.json'),
  })
  origin = env.SUPABASE_URL
  expect(origin).toBe(`http://127.0.0.1:${port}`)
  db = openTestDatabase()
  const devIssuer = await createDevTokenIssuer({
    keyFile: env.DEV_SIGNING_KEY_PATH,
    supabaseUrl: env.SUPABASE_URL,
    nodeEnv: env.NODE_ENV,
  })
  client = new OrchestratorClient({ address: env.ORCHESTRATOR_ADDRESS, timeoutMs: 1000 })
  ;({ app } = await buildGatewayApp({
    env,
    logger: new LogCapture('gateway').logger,
    db,
    orchestrator: client,
    verifier: createAccessTokenVerifier(verifierOptionsFromEnv(env)),
    devIssuer,
    health: new Health(),
    metrics: createGatewayMetrics(createMetricsRegistry('gateway')),
  }))
  await app.listen({ port, host: '127.0.0.1' })
})

afterAll(async () => {
  await app?.close()
  client?.close()
  await db?.close()
  await rm(dir, { recursive: true, force: true })
})

async function signIn(body?: unknown) {
  const res = await fetch(`${origin}/api/dev/token`, {
    method: 'POST',
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  })
  return { status: res.status, body: (await res.json()) as JsonBody }
}

describe('local development sign-in', () => {
  it('publishes the JWKS of its signing key, public parts only', async () => {
    const res = await fetch(`${origin}/auth/v1/.well-known/jwks.json`)
    expect(res.status).toBe(200)
    const { keys } = (await res.json()) as JsonBody
    expect(keys).toHaveLength(1)
    expect(keys[0]).toMatchObject({ kty: 'EC', alg: 'ES256', crv: 'P-256', use: 'sig' })
    expect(keys[0]).not.toHaveProperty('d')
  })

  it('signs in the default demo user (an admin of Northwind) with Supabase’s token response', async () => {
    const { status, body } = await signIn()
    expect(status).toBe(200)
    expect(body).toMatchObject({
      token_type: 'bearer',
      expires_in: 3600,
      user: { email: 'admin@northwind.example', aud: 'authenticated', role: 'authenticated' },
    })
    const users = await db.sql`select id from auth.users where email = 'admin@northwind.example'`
    expect(body.user.id).toBe(users[0]?.id)
    const claims = decodeJwt(body.access_token)
    expect(claims).toMatchObject({
      iss: `${origin}/auth/v1`,
      aud: 'authenticated',
      sub: body.user.id,
      role: 'authenticated',
      email: 'admin@northwind.example',
    })
    expect(decodeProtectedHeader(body.access_token)).toMatchObject({ alg: 'ES256', typ: 'JWT' })

    // The token works against the API: verified through the JWKS above, RLS as that user.
    const projects = await fetch(`${origin}/api/projects?page_size=5`, {
      headers: { authorization: `Bearer ${body.access_token}` },
    })
    expect(projects.status).toBe(200)
    expect(((await projects.json()) as JsonBody).projects).toHaveLength(5)
  })

  it('signs in a named demo user, case-insensitively', async () => {
    const { status, body } = await signIn({ email: 'Member@Northwind.example' })
    expect(status).toBe(200)
    expect(body.user.email).toBe('member@northwind.example')
    const apply = await fetch(`${origin}/api/proposals/00000000-0000-4000-8000-000000000000/apply`, {
      method: 'POST',
      headers: { authorization: `Bearer ${body.access_token}` },
    })
    expect(apply.status).toBe(404)
  })

  it('lists the users to sign in as, with their organisations and roles', async () => {
    const res = await fetch(`${origin}/api/dev/users`)
    expect(res.status).toBe(200)
    const { users } = (await res.json()) as JsonBody
    expect(users).toContainEqual({
      email: 'manager@northwind.example',
      full_name: expect.any(String),
      organisation: 'Northwind Consulting',
      role: 'manager',
    })
    const northwind = users.filter((u: { organisation: string }) => u.organisation === 'Northwind Consulting')
    expect(northwind.map((u: { role: string }) => u.role)).toEqual([
      'owner',
      'admin',
      'manager',
      'member',
      'viewer',
    ])
  })

  it('refuses unknown and malformed e-mail addresses', async () => {
    const unknown = await signIn({ email: 'nobody@nowhere.example' })
    expect(unknown.status).toBe(404)
    expect(unknown.body.error.code).toBe('NOT_FOUND')
    const malformed = await signIn({ email: 'not an address' })
    expect(malformed.status).toBe(400)
    expect(malformed.body.error.code).toBe('VALIDATION_FAILED')
    const extra = await signIn({ email: 'admin@northwind.example', password: 'x' })
    expect(extra.status).toBe(400)
  })
})

describe('without AUTH_DEV_MODE', () => {
  let h: GatewayHarness
  beforeAll(async () => {
    h = await startGatewayHarness()
  })
  afterAll(async () => {
    await h?.close()
  })

  it('has no token endpoint and no JWKS', async () => {
    const token = await h.app.inject({ method: 'POST', url: '/api/dev/token', payload: {} })
    expect(token.statusCode).toBe(404)
    expect(token.json().error.code).toBe('NOT_FOUND')
    expect((await h.app.inject({ method: 'GET', url: '/auth/v1/.well-known/jwks.json' })).statusCode).toBe(
      404,
    )
    expect((await h.app.inject({ method: 'GET', url: '/api/dev/users' })).statusCode).toBe(404)
  })
})
