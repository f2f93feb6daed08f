import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { AppError } from '@psa/errors'
import { decodeJwt, decodeProtectedHeader } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createDevTokenIssuer, type DevTokenIssuer } from './dev-issuer.js'
import { reasonOf, rejection } from './test-support.js'
import { type JwksTestServer, startJwksServer } from './testing/jwks-server.js'
import { createAccessTokenVerifier } from './verifier.js'

let dir: string
let server: JwksTestServer
let issuer: DevTokenIssuer

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'psa-auth-dev-'))
  // The gateway's role: serve the dev issuer's JWKS at SUPABASE_URL/auth/v1/.well-known/jwks.json.
  server = await startJwksServer({ keys: [] })
  issuer = await createDevTokenIssuer({
    keyFile: join(dir, '.psa', 'dev-signing-key.json'),
    supabaseUrl: server.origin,
  })
  server.setJwks(issuer.jwks())
})
afterAll(async () => {
  await server.close()
  await rm(dir, { recursive: true, force: true })
})

const ann = { email: 'Ann@Example.com', userMetadata: { full_name: 'Ann Example' } }

describe('dev key file', () => {
  it('is created with mode 0600 (directory 0700) holding one private ES256 JWK in signing_keys.json format', async () => {
    const file = join(dir, '.psa', 'dev-signing-key.json')
    expect((await stat(file)).mode & 0o777).toBe(0o600)
    expect((await stat(join(dir, '.psa'))).mode & 0o777).toBe(0o700)
    const keys = JSON.parse(await readFile(file, 'utf8'))
    expect(keys).toEqual([
      {
        kty: 'EC',
        kid: issuer.kid,
        use: 'sig',
        key_ops: ['sign', 'verify'],
        alg: 'ES256',
        ext: true,
        d: expect.any(String),
        crv: 'P-256',
        x: expect.any(String),
        y: expect.any(String),
      },
    ])
  })

  it('publishes only the public key, with kid, alg and use', () => {
    const jwks = issuer.jwks()
    expect(jwks.keys).toHaveLength(1)
    const [key] = jwks.keys
    expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', kid: issuer.kid, alg: 'ES256', use: 'sig' })
    expect(key).not.toHaveProperty('d')
    expect(key?.key_ops).toEqual(['verify'])
  })

  it('survives restarts: a second issuer on the same file has the same key', async () => {
    const again = await createDevTokenIssuer({ keyFile: issuer.keyFile, supabaseUrl: server.origin })
    expect(again.kid).toBe(issuer.kid)
    expect(again.jwks()).toEqual(issuer.jwks())
  })

  it('gives processes starting together one key, leaving no temporary files', async () => {
    const keyFile = join(dir, 'race', 'key.json')
    const issuers = await Promise.all(
      Array.from({ length: 6 }, () => createDevTokenIssuer({ keyFile, supabaseUrl: server.origin })),
    )
    expect(new Set(issuers.map((i) => i.kid)).size).toBe(1)
    expect(await readdir(join(dir, 'race'))).toEqual(['key.json'])
  })

  it('refuses a damaged key file with a clear error instead of replacing the key', async () => {
    const cases: [string, RegExp][] = [
      ['{not json', /is not JSON/],
      ['[]', /at least one key/],
      [JSON.stringify([{ ...issuer.jwks().keys[0] }]), /private key|d/],
      [JSON.stringify([{ kty: 'EC', kid: 'k', alg: 'ES512', d: 'x' }]), /ES256\/RS256/],
    ]
    for (const [content, message] of cases) {
      const keyFile = join(dir, 'broken.json')
      await writeFile(keyFile, content)
      const err = await rejection(createDevTokenIssuer({ keyFile, supabaseUrl: server.origin }))
      expect(err.code).toBe('INTERNAL')
      expect(err.details).toEqual({ reason: 'dev_key_file_invalid', path: keyFile })
      expect(err.message).toMatch(message)
      expect(await readFile(keyFile, 'utf8')).toBe(content)
    }
  })

  it('is refused when NODE_ENV=production, before touching the file system', async () => {
    const keyFile = join(dir, 'prod', 'key.json')
    const err = await rejection(
      createDevTokenIssuer({ keyFile, supabaseUrl: server.origin, nodeEnv: 'production' }),
    )
    expect(err).toBeInstanceOf(AppError)
    expect(err.code).toBe('FORBIDDEN')
    await expect(stat(join(dir, 'prod'))).rejects.toMatchObject({ code: 'ENOENT' })
  })
})

describe('dev tokens', () => {
  it("carry exactly Supabase's access-token header and claims, in GoTrue's order", async () => {
    const now = new Date('2026-01-05T09:00:00Z')
    const { accessToken, claims } = await issuer.mintAccessToken(ann, { now })
    expect(decodeProtectedHeader(accessToken)).toEqual({ alg: 'ES256', kid: issuer.kid, typ: 'JWT' })
    const payload = decodeJwt(accessToken)
    expect(payload).toEqual(claims)
    expect(Object.keys(payload)).toEqual([
      'iss',
      'sub',
      'aud',
      'exp',
      'iat',
      'email',
      'phone',
      'app_metadata',
      'user_metadata',
      'role',
      'aal',
      'amr',
      'session_id',
      'is_anonymous',
    ])
    const iat = now.getTime() / 1000
    expect(payload).toEqual({
      iss: `${server.origin}/auth/v1`,
      sub: expect.stringMatching(/^[0-9a-f-]{36}$/),
      aud: 'authenticated',
      exp: iat + 3600,
      iat,
      email: 'ann@example.com',
      phone: '',
      app_metadata: { provider: 'email', providers: ['email'] },
      user_metadata: {
        sub: payload.sub,
        email: 'ann@example.com',
        email_verified: true,
        phone_verified: false,
        full_name: 'Ann Example',
      },
      role: 'authenticated',
      aal: 'aal1',
      amr: [{ method: 'password', timestamp: iat }],
      session_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      is_anonymous: false,
    })
  })

  it('give the same e-mail the same user id across issuers, and honour an explicit id', async () => {
    const other = await createDevTokenIssuer({ keyFile: join(dir, 'other.json'), supabaseUrl: server.origin })
    const a = await issuer.mintAccessToken({ email: 'bob@example.com' })
    const b = await other.mintAccessToken({ email: ' BOB@example.com ' })
    expect(a.claims.sub).toBe(b.claims.sub)
    expect(a.claims.session_id).not.toBe(b.claims.session_id)
    const id = '5b8e2f7a-1c3d-4e5f-8a9b-0c1d2e3f4a5b'
    expect((await issuer.mintAccessToken({ id, email: 'bob@example.com' })).claims.sub).toBe(id)
  })

  it('are verified by the ordinary verifier through the JWKS URL, like Supabase tokens', async () => {
    const verifier = createAccessTokenVerifier({ supabaseUrl: server.origin })
    const { accessToken, claims } = await issuer.mintAccessToken(ann, { amrMethod: 'otp' })
    const user = await verifier.verifyAuthorization(`Bearer ${accessToken}`)
    expect(user).toMatchObject({
      userId: claims.sub,
      email: 'ann@example.com',
      role: 'authenticated',
      sessionId: claims.session_id,
      aal: 'aal1',
      isAnonymous: false,
      userMetadata: expect.objectContaining({ full_name: 'Ann Example' }),
      expiresAt: new Date(claims.exp * 1000),
    })
    expect(user.claims).toEqual(claims)
    // Expiry is enforced for dev tokens exactly as for real ones.
    const old = await issuer.mintAccessToken(ann, { now: new Date(Date.now() - 2 * 3600_000) })
    expect(reasonOf(await rejection(verifier.verify(old.accessToken)))).toBe('token_expired')
  })

  it('are refused by a verifier for another project', async () => {
    const elsewhere = await startJwksServer({ keys: [] })
    try {
      const verifier = createAccessTokenVerifier({ supabaseUrl: elsewhere.origin })
      const { accessToken } = await issuer.mintAccessToken(ann)
      expect(reasonOf(await rejection(verifier.verify(accessToken)))).toBe('unknown_key')
      elsewhere.setJwks(issuer.jwks())
      const sameKeyOtherIssuer = createAccessTokenVerifier({ supabaseUrl: elsewhere.origin })
      expect(reasonOf(await rejection(sameKeyOtherIssuer.verify(accessToken)))).toBe('invalid_issuer')
    } finally {
      await elsewhere.close()
    }
  })

  it('reject a bad dev user with VALIDATION_FAILED', async () => {
    for (const user of [{ email: 'not-an-email' }, { email: 'a@b.co', id: 'user-1' }]) {
      const err = await rejection(issuer.mintAccessToken(user))
      expect(err.code).toBe('VALIDATION_FAILED')
    }
  })
})

describe('createSession', () => {
  it("answers like Supabase's token endpoint", async () => {
    const now = new Date('2026-01-05T09:00:00.000Z')
    const createdAt = new Date('2025-12-01T08:00:00.000Z')
    const body = await issuer.createSession({ ...ann, createdAt, appMetadata: { org: 'acme' } }, { now })
    const claims = decodeJwt(body.access_token)
    expect(Object.keys(body)).toEqual([
      'access_token',
      'token_type',
      'expires_in',
      'expires_at',
      'refresh_token',
      'user',
    ])
    expect(body).toMatchObject({ token_type: 'bearer', expires_in: 3600, expires_at: claims.exp })
    expect(body.refresh_token).toMatch(/^[A-Za-z0-9_-]{20,}$/)
    expect(body.user).toEqual({
      id: claims.sub,
      aud: 'authenticated',
      role: 'authenticated',
      email: 'ann@example.com',
      email_confirmed_at: createdAt.toISOString(),
      phone: '',
      confirmed_at: createdAt.toISOString(),
      last_sign_in_at: now.toISOString(),
      app_metadata: { provider: 'email', providers: ['email'], org: 'acme' },
      user_metadata: claims.user_metadata,
      identities: [
        {
          identity_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
          id: claims.sub,
          user_id: claims.sub,
          identity_data: {
            sub: claims.sub,
            email: 'ann@example.com',
            email_verified: true,
            phone_verified: false,
          },
          provider: 'email',
          last_sign_in_at: now.toISOString(),
          created_at: createdAt.toISOString(),
          updated_at: now.toISOString(),
          email: 'ann@example.com',
        },
      ],
      created_at: createdAt.toISOString(),
      updated_at: now.toISOString(),
      is_anonymous: false,
    })
    const again = await issuer.createSession(ann)
    expect(again.refresh_token).not.toBe(body.refresh_token)
    expect(again.user.identities[0]?.identity_id).toBe(body.user.identities[0]?.identity_id)
  })

  it('uses the configured token lifetime', async () => {
    const short = await createDevTokenIssuer({
      keyFile: issuer.keyFile,
      supabaseUrl: server.origin,
      accessTokenTtlSec: 300,
    })
    const body = await short.createSession(ann)
    expect(body.expires_in).toBe(300)
    expect(body.expires_at - (decodeJwt(body.access_token).iat as number)).toBe(300)
  })
})
