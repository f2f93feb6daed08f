import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createDevTokenIssuer, type DevTokenIssuer } from '@psa/auth'
import { type JwksTestServer, startJwksServer } from '@psa/auth/testing'

/**
 * Real Supabase-shaped access tokens for tests of anything that verifies them: the development token
 * issuer (its key in a temporary directory) with its JWKS served where Supabase serves it. Point the
 * server under test at `supabaseUrl` (SUPABASE_URL).
 */
export interface TestAuth {
  /** SUPABASE_URL for the server under test: the JWKS server's origin. */
  supabaseUrl: string
  issuer: DevTokenIssuer
  jwks: JwksTestServer
  /** A valid access token for the user. */
  token(user: { id: string; email: string }, options?: { ttlSec?: number; now?: Date }): Promise<string>
  /** `{ authorization: 'Bearer <token>' }` for the user. */
  bearer(user: { id: string; email: string }): Promise<{ authorization: string }>
  close(): Promise<void>
}

export async function createTestAuth(): Promise<TestAuth> {
  const dir = await mkdtemp(join(tmpdir(), 'psa-test-auth-'))
  // The issuer's URL must be the JWKS server's origin, which exists only once it listens.
  const jwks = await startJwksServer({ keys: [] })
  const issuer = await createDevTokenIssuer({
    keyFile: join(dir, 'signing-key.json'),
    supabaseUrl: jwks.origin,
    nodeEnv: 'test',
  })
  jwks.setJwks(issuer.jwks())
  const token: TestAuth['token'] = async (user, options = {}) =>
    (await issuer.mintAccessToken({ id: user.id, email: user.email }, options)).accessToken
  return {
    supabaseUrl: jwks.origin,
    issuer,
    jwks,
    token,
    bearer: async (user) => ({ authorization: `Bearer ${await token(user)}` }),
    close: async () => {
      await jwks.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
}
