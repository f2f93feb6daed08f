import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createDevTokenIssuer, type DevTokenIssuer } from '@psa/auth'
import { type JwksTestServer, startJwksServer } from '@psa/auth/testing'

export interface TestAuth {
  /** SUPABASE_URL for the server under test: the JWKS server's origin. */
  supabaseUrl: string
  issuer: DevTokenIssuer
  jwks: JwksTestServer
  /** A valid access token for the user. */
  token(user: { id: string; email: string }, options?: { ttlSec?: number }): Promise<string>
  close(): Promise<void>
}

/** The dev token issuer (a key in a temp file) with its JWKS served where Supabase serves it. */
export async function createTestAuth(): Promise<TestAuth> {
  const dir = await mkdtemp(join(tmpdir(), 'psa-orchestrator-auth-'))
  // The issuer's URL must be the JWKS server's origin, which exists only once it listens.
  const jwks = await startJwksServer({ keys: [] })
  const issuer = await createDevTokenIssuer({
    keyFile: join(dir, 'signing-key.json'),
    supabaseUrl: jwks.origin,
    nodeEnv: 'test',
  })
  jwks.setJwks(issuer.jwks())
  return {
    supabaseUrl: jwks.origin,
    issuer,
    jwks,
    token: async (user, options = {}) =>
      (await issuer.mintAccessToken(user, options.ttlSec ? { ttlSec: options.ttlSec } : {})).accessToken,
    close: async () => {
      await jwks.close()
      await rm(dir, { recursive: true, force: true })
    },
  }
}
