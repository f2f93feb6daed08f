import { randomBytes, randomUUID } from 'node:crypto'
import { AppError } from '@psa/errors'
import { importJWK, type JWK, SignJWT } from 'jose'
import { v5 as uuidv5 } from 'uuid'
import { z } from 'zod'
import { type DevSigningJwk, loadOrCreateDevKeys, publicJwk } from './dev-key-file.js'
import { assertDevModeAllowed } from './env.js'
import { normaliseSupabaseUrl, SUPABASE_AUDIENCE } from './verifier.js'

/** Supabase's default `jwt_expiry`. */
export const DEFAULT_ACCESS_TOKEN_TTL_SEC = 3600

// Fixed namespace for deriving dev user ids from e-mail addresses (uuid v5): same address, same user.
const DEV_USER_NAMESPACE = '6f1f7a8e-3c2b-4d5e-9a41-5b0c7d2e8f13'

export interface AmrEntry {
  method: string
  timestamp: number
}

/**
 * Exactly the claims Supabase Auth puts in an access token, in GoTrue's order
 * (internal/tokens/service.go `AccessTokenClaims`, `aud` serialised as a string).
 */
export interface SupabaseAccessTokenClaims {
  iss: string
  sub: string
  aud: string
  exp: number
  iat: number
  email: string
  phone: string
  app_metadata: Record<string, unknown>
  user_metadata: Record<string, unknown>
  role: string
  aal: 'aal1' | 'aal2'
  amr: AmrEntry[]
  session_id: string
  is_anonymous: boolean
}

export interface SupabaseIdentity {
  identity_id: string
  id: string
  user_id: string
  identity_data: Record<string, unknown>
  provider: string
  last_sign_in_at: string
  created_at: string
  updated_at: string
  email: string
}

/** The user object of Supabase's token endpoint (GoTrue `models.User` as JSON). */
export interface SupabaseUser {
  id: string
  aud: string
  role: string
  email: string
  email_confirmed_at: string
  phone: string
  confirmed_at: string
  last_sign_in_at: string
  app_metadata: Record<string, unknown>
  user_metadata: Record<string, unknown>
  identities: SupabaseIdentity[]
  created_at: string
  updated_at: string
  is_anonymous: boolean
}

/** The body of Supabase's `POST /auth/v1/token`. */
export interface SupabaseTokenResponse {
  access_token: string
  token_type: 'bearer'
  /** Seconds the access token lives. */
  expires_in: number
  /** Unix seconds when it expires (the token's `exp`). */
  expires_at: number
  /**
   * Opaque and random. The dev issuer keeps no sessions, so it is never honoured: a client that wants a
   * fresh access token signs in again.
   */
  refresh_token: string
  user: SupabaseUser
}

export interface DevUser {
  /** auth.users.id. Default: derived from the e-mail address (uuid v5), so it is stable across restarts. */
  id?: string
  email: string
  phone?: string
  /** Merged over `{ provider: 'email', providers: ['email'] }`. */
  appMetadata?: Record<string, unknown>
  /** Merged over `{ sub, email, email_verified: true, phone_verified: false }` (what e-mail sign-up stores). */
  userMetadata?: Record<string, unknown>
  isAnonymous?: boolean
  /** When the user was created; default: now. */
  createdAt?: Date
}

export interface MintOptions {
  /** Default: the current time. */
  now?: Date
  /** Default: a new random UUID (a new "session"). */
  sessionId?: string
  /** The `amr` method; default `password`. */
  amrMethod?: string
  /** Default: the issuer's `accessTokenTtlSec`. */
  ttlSec?: number
}

export interface MintedAccessToken {
  accessToken: string
  claims: SupabaseAccessTokenClaims
}

export interface DevTokenIssuerOptions {
  /** Where the private key lives, e.g. `.psa/dev-signing-key.json`; created (0600) if missing. */
  keyFile: string
  /** The gateway's own origin, which is SUPABASE_URL in dev mode; `iss` is `<supabaseUrl>/auth/v1`. */
  supabaseUrl: string
  /** Default 3600 (Supabase's default). */
  accessTokenTtlSec?: number
  /** Checked against `production`; default `process.env.NODE_ENV`. */
  nodeEnv?: string
}

export interface DevTokenIssuer {
  readonly issuer: string
  /** The `kid` tokens are signed with. */
  readonly kid: string
  readonly keyFile: string
  /** The public keys, to serve at `/auth/v1/.well-known/jwks.json`. Never holds private members. */
  jwks(): { keys: JWK[] }
  /** Signs an access token with exactly Supabase's claims and header (`alg`, `kid`, `typ: JWT`). */
  mintAccessToken(user: DevUser, options?: MintOptions): Promise<MintedAccessToken>
  /** What Supabase's token endpoint answers to a successful sign-in, with a fresh access token. */
  createSession(user: DevUser, options?: MintOptions): Promise<SupabaseTokenResponse>
}

const devUserSchema = z.object({
  id: z.uuid({ error: 'must be a UUID' }).optional(),
  email: z
    .string()
    .trim()
    .pipe(z.email({ error: 'must be an e-mail address' })),
  phone: z.string().optional(),
  appMetadata: z.record(z.string(), z.unknown()).optional(),
  userMetadata: z.record(z.string(), z.unknown()).optional(),
  isAnonymous: z.boolean().optional(),
  createdAt: z.date().optional(),
})

// The gateway passes what a sign-in request said, so this is a boundary: bad input is a 400, not a bad token.
function parseDevUser(user: DevUser): DevUser & { id: string } {
  const parsed = devUserSchema.safeParse(user)
  if (!parsed.success) {
    throw new AppError('VALIDATION_FAILED', 'The development user is invalid', {
      details: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })),
    })
  }
  // Supabase stores e-mail addresses lower-cased; so do we, and the derived id follows the stored form.
  const email = parsed.data.email.toLowerCase()
  return { ...parsed.data, email, id: parsed.data.id ?? uuidv5(email, DEV_USER_NAMESPACE) }
}

function iso(seconds: number): string {
  return new Date(seconds * 1000).toISOString()
}

/**
 * The local development token issuer. Refuses to start when NODE_ENV=production. Tokens it mints are
 * verified by the ordinary verifier through the JWKS URL (the gateway serves `jwks()`), never by a
 * special path, so dev exercises exactly the production verification.
 */
export async function createDevTokenIssuer(options: DevTokenIssuerOptions): Promise<DevTokenIssuer> {
  assertDevModeAllowed(options.nodeEnv ?? process.env.NODE_ENV)
  const ttlDefault = options.accessTokenTtlSec ?? DEFAULT_ACCESS_TOKEN_TTL_SEC
  if (!Number.isInteger(ttlDefault) || ttlDefault <= 0)
    throw new TypeError('accessTokenTtlSec must be a positive integer')
  const issuer = `${normaliseSupabaseUrl(options.supabaseUrl)}/auth/v1`
  const keys = await loadOrCreateDevKeys(options.keyFile)
  const signing = keys[0] as DevSigningJwk
  // Supabase's key files say key_ops ["sign", "verify"], which WebCrypto refuses for a private key.
  const privateKey = await importJWK({ ...signing, key_ops: ['sign'] }, signing.alg).catch((err: unknown) => {
    throw new AppError(
      'INTERNAL',
      `Development signing key ${signing.kid} in ${options.keyFile} is unusable`,
      {
        details: { reason: 'dev_key_file_invalid', path: options.keyFile },
        cause: err,
      },
    )
  })
  const jwks = { keys: keys.map(publicJwk) }

  const mintAccessToken = async (input: DevUser, opts: MintOptions = {}): Promise<MintedAccessToken> => {
    const user = parseDevUser(input)
    const iat = Math.floor((opts.now ?? new Date()).getTime() / 1000)
    const ttl = opts.ttlSec ?? ttlDefault
    const sub = user.id
    const claims: SupabaseAccessTokenClaims = {
      iss: issuer,
      sub,
      aud: SUPABASE_AUDIENCE,
      exp: iat + ttl,
      iat,
      email: user.email,
      phone: user.phone ?? '',
      app_metadata: { provider: 'email', providers: ['email'], ...user.appMetadata },
      user_metadata: {
        sub,
        email: user.email,
        email_verified: true,
        phone_verified: false,
        ...user.userMetadata,
      },
      role: 'authenticated',
      aal: 'aal1',
      amr: [{ method: opts.amrMethod ?? 'password', timestamp: iat }],
      session_id: opts.sessionId ?? randomUUID(),
      is_anonymous: user.isAnonymous ?? false,
    }
    const accessToken = await new SignJWT({ ...claims })
      .setProtectedHeader({ alg: signing.alg, kid: signing.kid, typ: 'JWT' })
      .sign(privateKey)
    return { accessToken, claims }
  }

  const createSession = async (user: DevUser, opts: MintOptions = {}): Promise<SupabaseTokenResponse> => {
    const { accessToken, claims } = await mintAccessToken(user, opts)
    const now = iso(claims.iat)
    const created = user.createdAt?.toISOString() ?? now
    const identityData = { sub: claims.sub, email: claims.email, email_verified: true, phone_verified: false }
    return {
      access_token: accessToken,
      token_type: 'bearer',
      expires_in: claims.exp - claims.iat,
      expires_at: claims.exp,
      refresh_token: randomBytes(16).toString('base64url'),
      user: {
        id: claims.sub,
        aud: claims.aud,
        role: claims.role,
        email: claims.email,
        email_confirmed_at: created,
        phone: claims.phone,
        confirmed_at: created,
        last_sign_in_at: now,
        app_metadata: claims.app_metadata,
        user_metadata: claims.user_metadata,
        identities: [
          {
            identity_id: uuidv5(`${claims.sub}/email`, DEV_USER_NAMESPACE),
            id: claims.sub,
            user_id: claims.sub,
            identity_data: identityData,
            provider: 'email',
            last_sign_in_at: now,
            created_at: created,
            updated_at: now,
            email: claims.email,
          },
        ],
        created_at: created,
        updated_at: now,
        is_anonymous: claims.is_anonymous,
      },
    }
  }

  return {
    issuer,
    kid: signing.kid,
    keyFile: options.keyFile,
    jwks: () => structuredClone(jwks),
    mintAccessToken,
    createSession,
  }
}
