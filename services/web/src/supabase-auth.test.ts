import { randomUUID } from 'node:crypto'
import type { IncomingMessage } from 'node:http'
import { fileURLToPath } from 'node:url'
import { createMetricsRegistry, Health } from '@psa/lifecycle'
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureNextBuild } from './next-build.js'
import { startWebServer, type WebServer } from './server.js'
import { listen, memoryLogger, type RunningServer, readBody } from './test-servers.js'

// Supabase Auth through the web app's own routes (the browser never talks to Supabase): a loopback server
// speaking Supabase Auth's HTTP API (token, otp, verify, logout, JWKS) signs a real ES256 key's tokens.
const webDir = fileURLToPath(new URL('..', import.meta.url))
const USER = { id: '0b000000-0000-4000-8000-0000000000aa', email: 'pm@firm.example' }
let auth: RunningServer
let gateway: RunningServer
let web: WebServer
let issuer: { jwks(): { keys: JWK[] }; createSession(user: typeof USER): Promise<Record<string, unknown>> }
const calls: { path: string; body: Record<string, unknown>; authorization?: string | undefined }[] = []

async function json(req: IncomingMessage): Promise<Record<string, unknown>> {
  const text = await readBody(req)
  return text ? (JSON.parse(text) as Record<string, unknown>) : {}
}

beforeAll(async () => {
  await ensureNextBuild(webDir)
  auth = await listen(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    const body = await json(req)
    calls.push({ path: `${url.pathname}${url.search}`, body, authorization: req.headers.authorization })
    const send = (status: number, payload?: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' })
      res.end(payload === undefined ? '' : JSON.stringify(payload))
    }
    if (url.pathname === '/auth/v1/.well-known/jwks.json') return send(200, issuer.jwks())
    if (url.pathname === '/auth/v1/token' && url.searchParams.get('grant_type') === 'password') {
      if (body.email !== USER.email || body.password !== 'correct horse') {
        return send(400, { code: 400, error_code: 'invalid_credentials', msg: 'Invalid login credentials' })
      }
      return send(200, await issuer.createSession(USER))
    }
    if (url.pathname === '/auth/v1/otp') return send(200, {})
    if (url.pathname === '/auth/v1/verify') return send(200, await issuer.createSession(USER))
    if (url.pathname === '/auth/v1/logout') return send(204)
    if (url.pathname === '/auth/v1/user') return send(200, (await issuer.createSession(USER)).user)
    return send(404, { msg: 'not found' })
  })
  issuer = await supabaseLikeIssuer(auth.url)
  gateway = await listen((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end('{}')
  })
  process.env.NEXT_PUBLIC_SUPABASE_URL = auth.url
  process.env.NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY = 'sb_publishable_test'
  web = await startWebServer({
    dir: webDir,
    gatewayUrl: gateway.url,
    port: 0,
    host: '127.0.0.1',
    logger: memoryLogger().logger,
    health: new Health(),
    metrics: createMetricsRegistry('web-supabase-test'),
  })
}, 240_000)

afterAll(async () => {
  await web?.close()
  await gateway?.close()
  await auth?.close()
})

/** The cookies a response set, as a Cookie header for the next request (expired ones dropped). */
function cookiesOf(res: Response, jar = new Map<string, string>()): Map<string, string> {
  for (const line of res.headers.getSetCookie()) {
    const [pair = ''] = line.split(';')
    const [name = '', ...value] = pair.split('=')
    if (/max-age=0|expires=thu, 01 jan 1970/i.test(line)) jar.delete(name)
    else jar.set(name, value.join('='))
  }
  return jar
}
const header = (jar: Map<string, string>) => [...jar].map(([k, v]) => `${k}=${v}`).join('; ')

describe('Supabase Auth', () => {
  it('shows e-mail and password and magic link sign-in instead of the demo users', async () => {
    const html = await (await fetch(`${web.url}/sign-in`)).text()
    expect(html).toContain('action="/auth/password"')
    expect(html).toContain('action="/auth/magic-link"')
    expect(html).not.toContain('Demo users')
  })

  it('signs in with e-mail and password into httpOnly cookies, protects pages, hands pages the token, signs out', async () => {
    const wrong = await fetch(`${web.url}/auth/password`, {
      method: 'POST',
      body: new URLSearchParams({ email: USER.email, password: 'nope', next: '/projects' }),
      redirect: 'manual',
    })
    expect(wrong.status).toBe(303)
    expect(wrong.headers.get('location')).toContain('error=Invalid+login+credentials')

    const res = await fetch(`${web.url}/auth/password`, {
      method: 'POST',
      body: new URLSearchParams({ email: USER.email, password: 'correct horse', next: '/projects' }),
      redirect: 'manual',
    })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/projects')
    expect(res.headers.getSetCookie().every((c) => /httponly/i.test(c))).toBe(true)
    const jar = cookiesOf(res)
    expect([...jar.keys()].some((k) => k.startsWith('sb-'))).toBe(true)

    const session = await fetch(`${web.url}/auth/session`, { headers: { cookie: header(jar) } })
    expect(session.status).toBe(200)
    const { access_token } = (await session.json()) as { access_token: string }
    expect(access_token.split('.')).toHaveLength(3)

    expect((await fetch(`${web.url}/projects`, { redirect: 'manual' })).status).toBe(307)
    const page = await fetch(`${web.url}/projects`, { headers: { cookie: header(jar) }, redirect: 'manual' })
    expect(page.status).toBe(200)

    const out = await fetch(`${web.url}/auth/sign-out`, {
      method: 'POST',
      headers: { cookie: header(jar) },
      redirect: 'manual',
    })
    expect(out.status).toBe(303)
    expect(
      calls.some((c) => c.path.startsWith('/auth/v1/logout') && c.authorization === `Bearer ${access_token}`),
    ).toBe(true)
    cookiesOf(out, jar)
    expect((await fetch(`${web.url}/auth/session`, { headers: { cookie: header(jar) } })).status).toBe(401)
  })

  it('sends a magic link that comes back to this site, and signs in from it', async () => {
    const res = await fetch(`${web.url}/auth/magic-link`, {
      method: 'POST',
      headers: { origin: web.url },
      body: new URLSearchParams({ email: USER.email, next: '/quotes' }),
      redirect: 'manual',
    })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toContain(`sent=${encodeURIComponent(USER.email)}`)
    const otp = calls.find((c) => c.path.startsWith('/auth/v1/otp'))
    expect(otp?.body.email).toBe(USER.email)
    const redirectTo = new URL(otp?.path ?? '', 'http://x').searchParams.get('redirect_to') ?? ''
    expect(redirectTo).toBe(`${web.url}/auth/callback?next=%2Fquotes`)

    const back = await fetch(`${web.url}/auth/callback?token_hash=abc123&type=email&next=%2Fquotes`, {
      redirect: 'manual',
    })
    expect(back.status).toBe(303)
    expect(back.headers.get('location')).toBe('/quotes')
    expect(calls.find((c) => c.path.startsWith('/auth/v1/verify'))?.body).toMatchObject({
      token_hash: 'abc123',
      type: 'email',
    })
    const jar = cookiesOf(back)
    expect((await fetch(`${web.url}/auth/session`, { headers: { cookie: header(jar) } })).status).toBe(200)
  })
})

/** Sessions as Supabase Auth answers them (token endpoint shape), signed ES256 with a key its JWKS serves. */
async function supabaseLikeIssuer(origin: string) {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true })
  const kid = randomUUID()
  const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' }
  return {
    jwks: () => ({ keys: [jwk] }),
    async createSession(user: typeof USER) {
      const now = Math.floor(Date.now() / 1000)
      const accessToken = await new SignJWT({
        email: user.email,
        role: 'authenticated',
        session_id: randomUUID(),
      })
        .setProtectedHeader({ alg: 'ES256', kid, typ: 'JWT' })
        .setIssuer(`${origin}/auth/v1`)
        .setSubject(user.id)
        .setAudience('authenticated')
        .setIssuedAt(now)
        .setExpirationTime(now + 3600)
        .sign(privateKey)
      const stamp = new Date(now * 1000).toISOString()
      return {
        access_token: accessToken,
        token_type: 'bearer',
        expires_in: 3600,
        expires_at: now + 3600,
        refresh_token: randomUUID(),
        user: {
          id: user.id,
          aud: 'authenticated',
          role: 'authenticated',
          email: user.email,
          email_confirmed_at: stamp,
          app_metadata: { provider: 'email', providers: ['email'] },
          user_metadata: {},
          identities: [],
          created_at: stamp,
          updated_at: stamp,
          is_anonymous: false,
        },
      }
    },
  }
}
