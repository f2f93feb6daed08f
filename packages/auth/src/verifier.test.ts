import { exportSPKI, type JWK } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  hs256,
  makeKey,
  nowSec,
  rawToken,
  reasonOf,
  rejection,
  sign,
  signBytes,
  supabaseClaims,
  type TestKey,
} from './test-support.js'
import { type JwksTestServer, startJwksServer } from './testing/jwks-server.js'
import { type AccessTokenVerifier, createAccessTokenVerifier } from './verifier.js'

let server: JwksTestServer
let es: TestKey
let rs: TestKey
let verifier: AccessTokenVerifier
let issuer: string
const claims = (overrides: Record<string, unknown> = {}) => supabaseClaims(issuer, overrides)

beforeAll(async () => {
  es = await makeKey('ES256', 'es-key-1')
  rs = await makeKey('RS256', 'rs-key-1')
  server = await startJwksServer({ keys: [es.publicJwk, rs.publicJwk] })
  issuer = `${server.origin}/auth/v1`
  verifier = createAccessTokenVerifier({ supabaseUrl: server.origin })
})
afterAll(() => server.close())

async function expectReason(token: string | undefined, reason: string, v = verifier) {
  const err = await rejection(v.verify(token))
  expect(reasonOf(err)).toBe(reason)
  expect(err.code).toBe('UNAUTHENTICATED')
  expect(err.httpStatus).toBe(401)
  expect(err.grpcStatus).toBe(16)
  return err
}

describe('createAccessTokenVerifier', () => {
  it('derives issuer and JWKS URL from SUPABASE_URL and allows only ES256/RS256 without a secret', () => {
    const v = createAccessTokenVerifier({ supabaseUrl: 'https://abcd.supabase.co/' })
    expect(v.issuer).toBe('https://abcd.supabase.co/auth/v1')
    expect(v.jwksUrl).toBe('https://abcd.supabase.co/auth/v1/.well-known/jwks.json')
    expect(v.algorithms).toEqual(['ES256', 'RS256'])
    expect(v.audience).toBe('authenticated')
  })

  it('verifies an ES256 Supabase token into a VerifiedUser', async () => {
    const c = claims({
      user_metadata: { full_name: 'Ann' },
      app_metadata: { provider: 'email', org: 'acme' },
    })
    const user = await verifier.verify(await sign(es, c))
    expect(user).toEqual({
      userId: c.sub,
      email: 'ann@example.com',
      phone: null,
      role: 'authenticated',
      sessionId: c.session_id,
      aal: 'aal1',
      isAnonymous: false,
      appMetadata: { provider: 'email', org: 'acme' },
      userMetadata: { full_name: 'Ann' },
      expiresAt: new Date((c.exp as number) * 1000),
      claims: c,
    })
  })

  it('verifies an RS256 token, an audience array and a token without optional claims', async () => {
    expect((await verifier.verify(await sign(rs, claims()))).userId).toBe(claims().sub)
    const arr = await verifier.verify(await sign(es, claims({ aud: ['other', 'authenticated'] })))
    expect(arr.role).toBe('authenticated')
    const iat = nowSec()
    const minimal = await verifier.verify(
      await sign(es, {
        iss: issuer,
        aud: 'authenticated',
        sub: claims().sub,
        role: 'authenticated',
        exp: iat + 60,
      }),
    )
    expect(minimal).toMatchObject({
      email: null,
      sessionId: null,
      aal: null,
      appMetadata: {},
      userMetadata: {},
    })
  })

  it('treats null metadata (GoTrue nil maps) as empty and keeps unknown claims in the raw claims', async () => {
    const user = await verifier.verify(
      await sign(es, claims({ app_metadata: null, user_metadata: null, org_id: 'o-1' })),
    )
    expect(user.appMetadata).toEqual({})
    expect(user.claims.org_id).toBe('o-1')
    expect(user.claims.app_metadata).toBeNull()
  })

  it('rejects an expired token, honouring the clock tolerance', async () => {
    const now = nowSec()
    const err = await expectReason(
      await sign(es, claims({ iat: now - 7200, exp: now - 3600 })),
      'token_expired',
    )
    expect(err.message).toMatch(/expired/)
    // 10 s past exp is within the default 30 s tolerance; 60 s is not.
    await expect(verifier.verify(await sign(es, claims({ exp: now - 10 })))).resolves.toBeDefined()
    await expectReason(await sign(es, claims({ exp: now - 60 })), 'token_expired')
    const strict = createAccessTokenVerifier({ supabaseUrl: server.origin, clockToleranceSec: 0 })
    await expectReason(await sign(es, claims({ exp: now - 2 })), 'token_expired', strict)
  })

  it('rejects tokens that are not valid yet (nbf or iat in the future)', async () => {
    const now = nowSec()
    await expectReason(await sign(es, claims({ nbf: now + 600 })), 'token_not_yet_valid')
    await expectReason(await sign(es, claims({ iat: now + 600, exp: now + 4200 })), 'token_not_yet_valid')
    await expect(
      verifier.verify(await sign(es, claims({ iat: now + 5, nbf: now + 5 }))),
    ).resolves.toBeDefined()
  })

  it('rejects a wrong or missing audience', async () => {
    await expectReason(await sign(es, claims({ aud: 'anon' })), 'invalid_audience')
    await expectReason(await sign(es, claims({ aud: ['a', 'b'] })), 'invalid_audience')
    await expectReason(await sign(es, claims({ aud: undefined })), 'invalid_audience')
  })

  it('rejects a wrong or missing issuer', async () => {
    await expectReason(await sign(es, claims({ iss: 'https://other.supabase.co/auth/v1' })), 'invalid_issuer')
    await expectReason(await sign(es, claims({ iss: `${server.origin}/auth/v1/` })), 'invalid_issuer')
    await expectReason(await sign(es, claims({ iss: 'supabase' })), 'invalid_issuer')
    await expectReason(await sign(es, claims({ iss: undefined })), 'invalid_issuer')
  })

  it('rejects a tampered payload or signature', async () => {
    const [h, , s] = (await sign(es, claims())).split('.')
    const forged = Buffer.from(JSON.stringify(claims({ role: 'service_role' }))).toString('base64url')
    await expectReason(`${h}.${forged}.${s}`, 'invalid_signature')
    const [h2, p2, s2] = (await sign(rs, claims())).split('.')
    const flipped = `${s2?.slice(0, 10)}${s2?.[10] === 'A' ? 'B' : 'A'}${s2?.slice(11)}`
    await expectReason(`${h2}.${p2}.${flipped}`, 'invalid_signature')
    // A signature by a key that is not the one named in the header.
    const other = await makeKey('ES256', es.kid)
    await expectReason(await sign(other, claims()), 'invalid_signature')
  })

  it('rejects alg "none" in every spelling', async () => {
    for (const alg of ['none', 'None', 'NONE']) {
      await expectReason(rawToken({ alg, typ: 'JWT' }, claims()), 'unsupported_algorithm')
      await expectReason(
        rawToken({ alg, typ: 'JWT', kid: es.kid }, claims(), 'c2ln'),
        'unsupported_algorithm',
      )
    }
  })

  it('rejects HS256 signed with the public key (key confusion) when no secret is configured', async () => {
    const pem = await exportSPKI(es.publicKey)
    await expectReason(hs256({ kid: es.kid }, claims(), pem), 'unsupported_algorithm')
    await expectReason(hs256({}, claims(), JSON.stringify(es.publicJwk)), 'unsupported_algorithm')
    await expectReason(
      hs256({ kid: rs.kid }, claims(), await exportSPKI(rs.publicKey)),
      'unsupported_algorithm',
    )
  })

  it('rejects algorithms outside ES256/RS256 even with a matching key type', async () => {
    await expectReason(rawToken({ alg: 'PS256', kid: rs.kid }, claims(), 'c2ln'), 'unsupported_algorithm')
    await expectReason(rawToken({ alg: 'RS512', kid: rs.kid }, claims(), 'c2ln'), 'unsupported_algorithm')
    await expectReason(rawToken({ alg: 'ES512', kid: es.kid }, claims(), 'c2ln'), 'unsupported_algorithm')
    await expectReason(rawToken({ alg: 'EdDSA', kid: es.kid }, claims(), 'c2ln'), 'unsupported_algorithm')
  })

  it('rejects a token whose kid is not in the JWKS', async () => {
    const stranger = await makeKey('ES256', 'not-published')
    const err = await expectReason(await sign(stranger, claims()), 'unknown_key')
    expect(err.message).toMatch(/kid/)
    // An RS256 header naming the ES256 key's kid matches no key either.
    await expectReason(await sign({ ...rs, kid: es.kid }, claims()), 'unknown_key')
  })

  it('rejects garbage strings as malformed and an empty token as missing', async () => {
    const garbage = [
      'garbage',
      'a.b',
      'a.b.c',
      '...',
      'a.b.c.d',
      'eyJhbGciOiJFUzI1NiJ9',
      `${Buffer.from('not json').toString('base64url')}.e30.c2ln`,
      rawToken('[1,2]', claims(), 'c2ln'),
      await signBytes(es, 'not json at all'),
      await signBytes(es, '["an", "array"]'),
      `Bearer ${await sign(es, claims())}`,
      'x'.repeat(20_000),
    ]
    for (const token of garbage) await expectReason(token, 'malformed_token')
    await expectReason('', 'missing_token')
    await expectReason(undefined, 'missing_token')
  })

  it('rejects missing or ill-typed required claims as invalid_claims, naming the claim', async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ sub: undefined }, 'sub'],
      [{ sub: 'user-1' }, 'sub'],
      [{ sub: 42 }, 'sub'],
      [{ role: undefined }, 'role'],
      [{ role: '' }, 'role'],
      [{ exp: undefined }, 'exp'],
      [{ session_id: 'not-a-uuid' }, 'session_id'],
      [{ app_metadata: 'admin' }, 'app_metadata'],
      [{ is_anonymous: 'no' }, 'is_anonymous'],
    ]
    for (const [override, claim] of cases) {
      const err = await expectReason(await sign(es, claims(override)), 'invalid_claims')
      expect(err.details).toEqual({ reason: 'invalid_claims', claim })
      expect(err.message).toContain(`"${claim}"`)
    }
    // jose refuses a non-numeric exp before our schema sees it; still invalid_claims.
    const err = await expectReason(
      await signBytes(es, JSON.stringify(claims({ exp: 'soon' }))),
      'invalid_claims',
    )
    expect(err.details).toEqual({ reason: 'invalid_claims', claim: 'exp' })
  })

  it('verifyAuthorization takes the Authorization header or gRPC metadata values', async () => {
    const token = await sign(es, claims())
    expect((await verifier.verifyAuthorization(`Bearer ${token}`)).userId).toBe(claims().sub)
    expect((await verifier.verifyAuthorization([Buffer.from(`bearer ${token}`)])).role).toBe('authenticated')
    const err = await rejection(verifier.verifyAuthorization(token))
    expect(reasonOf(err)).toBe('invalid_authorization_header')
    expect(reasonOf(await rejection(verifier.verifyAuthorization(undefined)))).toBe('missing_token')
  })
})

describe('legacy HS256 secret', () => {
  const secret = 'super-secret-jwt-token-with-at-least-32-characters-long'

  it('is accepted only when configured, and then only with that secret', async () => {
    const hs = hs256({}, claims(), secret)
    await expectReason(hs, 'unsupported_algorithm')
    const v = createAccessTokenVerifier({ supabaseUrl: server.origin, jwtSecret: secret })
    expect(v.algorithms).toEqual(['ES256', 'RS256', 'HS256'])
    expect((await v.verify(hs)).userId).toBe(claims().sub)
    // A kid in the header does not route HS256 to the JWKS.
    expect((await v.verify(hs256({ kid: es.kid }, claims(), secret))).role).toBe('authenticated')
    await expectReason(hs256({}, claims(), `${secret}x`), 'invalid_signature', v)
    // Key confusion with a secret configured: still a bad signature, never a JWKS lookup.
    await expectReason(
      hs256({ kid: es.kid }, claims(), await exportSPKI(es.publicKey)),
      'invalid_signature',
      v,
    )
    // The usual checks apply to HS256 tokens too.
    await expectReason(hs256({}, claims({ aud: 'anon' }), secret), 'invalid_audience', v)
    // Asymmetric tokens keep working next to the secret.
    expect((await v.verify(await sign(es, claims()))).userId).toBe(claims().sub)
  })
})

describe('JWKS handling', () => {
  it('picks up a rotated-in key for an unknown kid once the cooldown has passed', async () => {
    const s = await startJwksServer({ keys: [es.publicJwk] })
    try {
      const v = createAccessTokenVerifier({ supabaseUrl: s.origin, jwks: { cooldownMs: 0 } })
      const iss = `${s.origin}/auth/v1`
      await v.verify(await sign(es, supabaseClaims(iss)))
      expect(s.requests).toBe(1)
      await v.verify(await sign(es, supabaseClaims(iss)))
      expect(s.requests).toBe(1) // cached
      const next = await makeKey('ES256', 'es-key-2')
      s.setJwks({ keys: [es.publicJwk, next.publicJwk] })
      expect((await v.verify(await sign(next, supabaseClaims(iss)))).role).toBe('authenticated')
      expect(s.requests).toBe(2)
    } finally {
      await s.close()
    }
  })

  it('does not refetch for unknown kids during the cooldown', async () => {
    const s = await startJwksServer({ keys: [es.publicJwk] })
    try {
      const v = createAccessTokenVerifier({ supabaseUrl: s.origin })
      const iss = `${s.origin}/auth/v1`
      await v.verify(await sign(es, supabaseClaims(iss)))
      for (let i = 0; i < 5; i++) {
        const stranger = await makeKey('ES256')
        await expectReason(await sign(stranger, supabaseClaims(iss)), 'unknown_key', v)
      }
      expect(s.requests).toBe(1)
    } finally {
      await s.close()
    }
  })

  it('refuses a token without kid when several keys could match, accepts it when one does', async () => {
    const second = await makeKey('ES256', 'es-key-3')
    const s = await startJwksServer({ keys: [es.publicJwk, rs.publicJwk] })
    try {
      const v = createAccessTokenVerifier({ supabaseUrl: s.origin })
      const iss = `${s.origin}/auth/v1`
      expect((await v.verify(await sign(es, supabaseClaims(iss), { kid: undefined }))).role).toBe(
        'authenticated',
      )
      s.setJwks({ keys: [es.publicJwk, second.publicJwk] })
      const v2 = createAccessTokenVerifier({ supabaseUrl: s.origin })
      await expectReason(await sign(es, supabaseClaims(iss), { kid: undefined }), 'unknown_key', v2)
    } finally {
      await s.close()
    }
  })

  async function expectUnavailable(promise: Promise<unknown>) {
    const err = await rejection(promise)
    expect(err.code).toBe('UNAVAILABLE')
    expect(err.httpStatus).toBe(503)
    expect(err.grpcStatus).toBe(14)
    expect(err.details).toEqual({ reason: 'jwks_unavailable' })
    return err
  }

  it('answers UNAVAILABLE (503 / gRPC 14) when the JWKS cannot be fetched: refused, 500, timeout', async () => {
    const s = await startJwksServer({ keys: [es.publicJwk] })
    const iss = `${s.origin}/auth/v1`
    const token = await sign(es, supabaseClaims(iss))
    s.setMode('error')
    await expectUnavailable(createAccessTokenVerifier({ supabaseUrl: s.origin }).verify(token))
    s.setMode('hang')
    const started = Date.now()
    await expectUnavailable(
      createAccessTokenVerifier({ supabaseUrl: s.origin, jwks: { timeoutMs: 200 } }).verify(token),
    )
    expect(Date.now() - started).toBeLessThan(3000)
    await s.close()
    const refused = createAccessTokenVerifier({ supabaseUrl: s.origin })
    await expectUnavailable(refused.verify(token))
    await expectUnavailable(refused.ensureKeys())
  })

  it('fails fast after a failed fetch, then retries the endpoint and recovers', async () => {
    const s = await startJwksServer({ keys: [es.publicJwk] })
    try {
      const errors: boolean[] = []
      const v = createAccessTokenVerifier({
        supabaseUrl: s.origin,
        jwks: { retryAfterFailureMs: 300 },
        onJwksError: (_err, stale) => errors.push(stale),
      })
      const token = await sign(es, supabaseClaims(`${s.origin}/auth/v1`))
      s.setMode('error')
      await expectUnavailable(v.verify(token))
      await expectUnavailable(v.verify(token))
      expect(s.requests).toBe(1) // the second request did not wait on the endpoint
      expect(errors).toEqual([false])
      s.setMode('ok')
      await new Promise((r) => setTimeout(r, 350))
      expect((await v.verify(token)).role).toBe('authenticated')
      expect(s.requests).toBe(2)
    } finally {
      await s.close()
    }
  })

  it('keeps verifying with the last keys while the endpoint fails, within staleIfErrorMs', async () => {
    const s = await startJwksServer({ keys: [es.publicJwk] })
    try {
      const stale: boolean[] = []
      const opts = { cacheMaxAgeMs: 50, retryAfterFailureMs: 10_000 }
      // The same token is verified again after the keys go stale: no verified-token cache in between.
      const v = createAccessTokenVerifier({
        supabaseUrl: s.origin,
        jwks: opts,
        cache: { maxEntries: 0 },
        onJwksError: (_e, servingStale) => stale.push(servingStale),
      })
      const noStale = createAccessTokenVerifier({
        supabaseUrl: s.origin,
        jwks: { ...opts, staleIfErrorMs: 0 },
        cache: { maxEntries: 0 },
      })
      const iss = `${s.origin}/auth/v1`
      const token = await sign(es, supabaseClaims(iss))
      await v.verify(token)
      await noStale.verify(token)
      await noStale.ensureKeys()
      s.setMode('error')
      await new Promise((r) => setTimeout(r, 80)) // both caches are now past cacheMaxAge
      expect((await v.verify(token)).role).toBe('authenticated')
      expect(stale).toEqual([true])
      await expect(v.ensureKeys()).resolves.toBeUndefined()
      // Stale keys still refuse unknown kids and bad tokens.
      await expectReason(await sign(await makeKey('ES256'), supabaseClaims(iss)), 'unknown_key', v)
      await expectUnavailable(noStale.verify(token))
    } finally {
      await s.close()
    }
  })

  it('ensureKeys loads the keys once and is a no-op while they are fresh', async () => {
    const s = await startJwksServer({ keys: [es.publicJwk] })
    try {
      const v = createAccessTokenVerifier({ supabaseUrl: s.origin })
      await v.ensureKeys()
      await v.ensureKeys()
      await v.verify(await sign(es, supabaseClaims(`${s.origin}/auth/v1`)))
      expect(s.requests).toBe(1)
    } finally {
      await s.close()
    }
  })

  it('uses SUPABASE_JWKS_URL when given instead of the URL derived from SUPABASE_URL', async () => {
    const s = await startJwksServer({ keys: [rs.publicJwk] as JWK[] })
    try {
      const v = createAccessTokenVerifier({ supabaseUrl: 'https://abcd.supabase.co', jwksUrl: s.jwksUrl })
      const user = await v.verify(await sign(rs, supabaseClaims('https://abcd.supabase.co/auth/v1')))
      expect(user.role).toBe('authenticated')
    } finally {
      await s.close()
    }
  })
})

describe('verified-token cache', () => {
  it('checks a token once and answers repeats from memory until it expires', async () => {
    const v = createAccessTokenVerifier({ supabaseUrl: server.origin, clockToleranceSec: 0 })
    const token = await sign(es, claims({ exp: nowSec() + 2 }))
    const first = await v.verify(token)
    const fetchesBefore = server.requests
    server.setMode('error')
    try {
      // Served from the cache: identical object, no key lookup even with the JWKS endpoint failing.
      expect(await v.verify(token)).toBe(first)
      expect(await v.verifyAuthorization(`Bearer ${token}`)).toBe(first)
      expect(server.requests).toBe(fetchesBefore)
    } finally {
      server.setMode('ok')
    }
    await new Promise((r) => setTimeout(r, 2_100))
    await expectReason(token, 'token_expired', v)
  })

  it('never caches a refusal, and can be turned off', async () => {
    const v = createAccessTokenVerifier({ supabaseUrl: server.origin, cache: { maxEntries: 0 } })
    const token = await sign(es, claims())
    expect(await v.verify(token)).not.toBe(await v.verify(token))
    const tampered = `${token.slice(0, -4)}AAAA`
    await expectReason(tampered, 'invalid_signature', verifier)
    await expectReason(tampered, 'invalid_signature', verifier)
  })
})
