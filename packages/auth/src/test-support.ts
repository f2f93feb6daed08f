import { createHmac, randomUUID } from 'node:crypto'
import { AppError } from '@psa/errors'
import { CompactSign, type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose'

/** Test-only helpers shared by this package's test files (not exported from the package). */

export interface TestKey {
  kid: string
  alg: 'ES256' | 'RS256'
  privateKey: CryptoKey
  publicKey: CryptoKey
  publicJwk: JWK
}

export async function makeKey(alg: 'ES256' | 'RS256', kid: string = randomUUID()): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig', key_ops: ['verify'] }
  return { kid, alg, privateKey, publicKey, publicJwk }
}

export const nowSec = () => Math.floor(Date.now() / 1000)

/** Claims shaped like a real Supabase access token. */
export function supabaseClaims(
  issuer: string,
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  const iat = nowSec()
  return {
    iss: issuer,
    sub: '9a3b6f0e-5c1d-4e2a-8b7c-1d2e3f4a5b6c',
    aud: 'authenticated',
    exp: iat + 3600,
    iat,
    email: 'ann@example.com',
    phone: '',
    app_metadata: { provider: 'email', providers: ['email'] },
    user_metadata: { full_name: 'Ann Example' },
    role: 'authenticated',
    aal: 'aal1',
    amr: [{ method: 'password', timestamp: iat }],
    session_id: '0c1d2e3f-4a5b-4c6d-8e7f-8091a2b3c4d5',
    is_anonymous: false,
    ...overrides,
  }
}

export async function sign(
  key: TestKey,
  claims: Record<string, unknown>,
  header: Record<string, unknown> = {},
): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT', ...header })
    .sign(key.privateKey)
}

/** Properly signs an arbitrary payload, so only what is wrong with the payload itself gets tested. */
export async function signBytes(key: TestKey, payload: string): Promise<string> {
  return new CompactSign(new TextEncoder().encode(payload))
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
    .sign(key.privateKey)
}

const b64url = (value: unknown) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url')

/** Builds a token by hand, for shapes no well-behaved library would produce. */
export function rawToken(header: unknown, payload: unknown, signature = ''): string {
  return `${b64url(header)}.${b64url(payload)}.${signature}`
}

/** An HS256 token with an arbitrary HMAC secret (e.g. the public key, for key-confusion attacks). */
export function hs256(header: Record<string, unknown>, payload: unknown, secret: string | Buffer): string {
  const input = `${b64url({ alg: 'HS256', typ: 'JWT', ...header })}.${b64url(payload)}`
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`
}

/** Awaits a promise that must reject with an AppError, and returns that error. */
export async function rejection(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise
  } catch (err) {
    if (err instanceof AppError) return err
    throw new Error(`expected an AppError, got ${String(err)}`, { cause: err })
  }
  throw new Error('expected a rejection, but the promise resolved')
}

export function reasonOf(err: AppError): unknown {
  return (err.details as { reason?: unknown } | undefined)?.reason
}
