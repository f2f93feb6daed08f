import { spawn } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { decodeJwt, decodeProtectedHeader, type JWK } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDevTokenIssuer } from './dev-issuer.js'
import { reasonOf, rejection } from './test-support.js'
import { type JwksTestServer, startJwksServer } from './testing/jwks-server.js'
import { type AccessTokenVerifier, createAccessTokenVerifier } from './verifier.js'

/**
 * Tokens minted by Supabase's own CLI (npm `supabase`, pinned 2.117.0; its binary ships in the optional
 * dependency `@supabase/cli-linux-x64`, no Docker) must verify when the JWKS serves the matching key.
 */
const CLI = join(
  dirname(createRequire(import.meta.url).resolve('supabase/package.json')),
  'dist',
  'supabase.js',
)

/** Runs the CLI through its npm entry point; `stdin` answers its "Enter the kid" prompt. */
function supabase(args: string[], stdin = '\n'): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { ...process.env, DO_NOT_TRACK: '1' },
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: 60_000,
    })
    let out = ''
    let err = ''
    child.stdout.on('data', (d: Buffer) => {
      out += d
    })
    child.stderr.on('data', (d: Buffer) => {
      err += d
    })
    child.on('error', reject)
    child.on('close', (code) =>
      code === 0
        ? resolve(out.trim())
        : reject(new Error(`supabase ${args.join(' ')} exited ${code}: ${err}`)),
    )
    child.stdin.end(stdin)
  })
}

const publicPart = ({ d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, key_ops: _ops, ...pub }: JWK): JWK => ({
  ...pub,
  key_ops: ['verify'],
})

const USER = '2f9c1e4b-7a3d-4c5e-9b8a-6d7e8f9a0b1c'

let dir: string
let workdir: string
let server: JwksTestServer
let verifier: AccessTokenVerifier
let es: JWK
let rs: JWK

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'psa-auth-cli-'))
  workdir = join(dir, 'project')
  await mkdir(join(workdir, 'supabase'), { recursive: true })
  // `supabase gen signing-key` prints one private JWK on stdout (its advice goes to stderr).
  es = JSON.parse(await supabase(['gen', 'signing-key', '--algorithm', 'ES256']))
  rs = JSON.parse(await supabase(['gen', 'signing-key', '--algorithm', 'RS256']))
  await writeFile(join(workdir, 'supabase', 'signing_keys.json'), JSON.stringify([es, rs]), { mode: 0o600 })
  await writeFile(
    join(workdir, 'supabase', 'config.toml'),
    '[auth]\nsigning_keys_path = "./signing_keys.json"\n',
  )
  server = await startJwksServer({ keys: [publicPart(es), publicPart(rs)] })
  verifier = createAccessTokenVerifier({ supabaseUrl: server.origin })
}, 120_000)
afterAll(async () => {
  await server?.close()
  await rm(dir, { recursive: true, force: true })
})

function bearerJwt(kid: string, payload: Record<string, unknown>, extra: string[] = [], wd = workdir) {
  return supabase(
    [
      'gen',
      'bearer-jwt',
      '--workdir',
      wd,
      '--role',
      'authenticated',
      '--sub',
      USER,
      ...extra,
      '--payload',
      JSON.stringify(payload),
    ],
    `${kid}\n`,
  )
}

describe('Supabase CLI 2.117.0 tokens', () => {
  it('generates ES256 and RS256 signing keys in the JWK shape we expect', () => {
    expect(es).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig', kid: expect.any(String) })
    expect(rs).toMatchObject({ kty: 'RSA', alg: 'RS256', use: 'sig', kid: expect.any(String) })
  })

  for (const alg of ['ES256', 'RS256'] as const) {
    it(`accepts a ${alg} token from \`supabase gen bearer-jwt\``, { timeout: 60_000 }, async () => {
      const key = alg === 'ES256' ? es : rs
      const token = await bearerJwt(
        key.kid as string,
        {
          aud: 'authenticated',
          iss: `${server.origin}/auth/v1`,
          email: 'ann@example.com',
        },
        ['--valid-for', '1h'],
      )
      expect(decodeProtectedHeader(token)).toEqual({ alg, kid: key.kid, typ: 'JWT' })
      const user = await verifier.verify(token)
      expect(user).toMatchObject({
        userId: USER,
        email: 'ann@example.com',
        role: 'authenticated',
        sessionId: null,
      })
      expect(user.expiresAt.getTime()).toBe((decodeJwt(token).exp as number) * 1000)
    })
  }

  it('refuses CLI tokens for another issuer or audience, expired, or without a subject', {
    timeout: 60_000,
  }, async () => {
    const kid = es.kid as string
    const iss = `${server.origin}/auth/v1`
    const cases: [Promise<string>, string][] = [
      [bearerJwt(kid, { aud: 'authenticated', iss: 'http://127.0.0.1:54321/auth/v1' }), 'invalid_issuer'],
      [bearerJwt(kid, { aud: 'anon', iss }), 'invalid_audience'],
      [bearerJwt(kid, { aud: 'authenticated', iss }, ['--exp', '2020-01-01T00:00:00Z']), 'token_expired'],
      // The CLI's default payload (no aud, iss or sub; is_anonymous true) is not a user token for this API.
      [
        supabase(['gen', 'bearer-jwt', '--workdir', workdir, '--role', 'authenticated'], `${kid}\n`),
        'invalid_issuer',
      ],
      [
        supabase(
          [
            'gen',
            'bearer-jwt',
            '--workdir',
            workdir,
            '--role',
            'authenticated',
            '--payload',
            JSON.stringify({ aud: 'authenticated', iss }),
          ],
          `${kid}\n`,
        ),
        'invalid_claims',
      ],
    ]
    for (const [minted, reason] of cases) {
      expect(reasonOf(await rejection(verifier.verify(await minted)))).toBe(reason)
    }
  })

  it('shares keys with the dev issuer in both directions (same signing_keys.json format)', {
    timeout: 60_000,
  }, async () => {
    const devServer = await startJwksServer({ keys: [] })
    try {
      // The dev issuer adopts a CLI-generated key file (RS256 first, so it signs RS256)...
      const cliKeys = join(dir, 'cli-keys.json')
      await writeFile(cliKeys, JSON.stringify([rs, es]), { mode: 0o600 })
      const adopted = await createDevTokenIssuer({ keyFile: cliKeys, supabaseUrl: devServer.origin })
      expect(adopted.kid).toBe(rs.kid)
      devServer.setJwks(adopted.jwks())
      const devVerifier = createAccessTokenVerifier({ supabaseUrl: devServer.origin })
      const { accessToken } = await adopted.mintAccessToken({ email: 'ann@example.com' })
      expect(decodeProtectedHeader(accessToken).alg).toBe('RS256')
      expect((await devVerifier.verify(accessToken)).email).toBe('ann@example.com')

      // ...and the CLI signs with a key file the dev issuer created.
      const devWorkdir = join(dir, 'dev-project')
      await mkdir(join(devWorkdir, 'supabase'), { recursive: true })
      const ours = await createDevTokenIssuer({
        keyFile: join(devWorkdir, 'supabase', 'dev-signing-key.json'),
        supabaseUrl: devServer.origin,
      })
      await writeFile(
        join(devWorkdir, 'supabase', 'config.toml'),
        '[auth]\nsigning_keys_path = "./dev-signing-key.json"\n',
      )
      devServer.setJwks(ours.jwks())
      const token = await bearerJwt(
        ours.kid,
        { aud: 'authenticated', iss: `${devServer.origin}/auth/v1`, email: 'bob@example.com' },
        [],
        devWorkdir,
      )
      const fresh = createAccessTokenVerifier({ supabaseUrl: devServer.origin })
      expect(await fresh.verify(token)).toMatchObject({ userId: USER, email: 'bob@example.com' })
    } finally {
      await devServer.close()
    }
  })
})
