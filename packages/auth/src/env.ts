import { envVars } from '@psa/config'
import { AppError } from '@psa/errors'
import { z } from 'zod'
import { type AccessTokenVerifierOptions, defaultJwksUrl, normaliseSupabaseUrl } from './verifier.js'

const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' })

/**
 * The auth settings, as a zod shape a service merges into its own env schema:
 *
 *     const schema = baseEnvSchema.extend(authEnvShape).superRefine(refineAuthEnv)
 *
 * Apply `refineAuthEnv` (it needs NODE_ENV from the base schema): it is what refuses dev mode in production.
 */
export const authEnvShape = {
  /** The Supabase project URL; in local development mode the gateway's own origin. */
  SUPABASE_URL: httpUrl.transform(normaliseSupabaseUrl),
  /** Default `${SUPABASE_URL}/auth/v1/.well-known/jwks.json`. */
  SUPABASE_JWKS_URL: httpUrl.optional(),
  /** The legacy HS256 secret. Setting it is what allows HS256 tokens; leave unset on new projects. */
  SUPABASE_JWT_SECRET: z
    .string()
    .min(32, { error: 'must be at least 32 characters (the legacy Supabase JWT secret)' })
    .optional(),
  /** Mint and accept locally signed tokens (gateway only). Refused when NODE_ENV=production. */
  AUTH_DEV_MODE: envVars.bool(false),
  /** Seconds of clock skew tolerated on exp/nbf/iat. */
  AUTH_CLOCK_TOLERANCE_S: z.coerce.number().int().min(0).max(300).default(30),
}

export const DEV_MODE_IN_PRODUCTION_MESSAGE =
  'must not be true when NODE_ENV=production: development tokens are signed with a local key file, so ' +
  'anyone who can read that file can sign in as anyone'

/** The production refusal of dev mode, as a zod refinement for a schema holding NODE_ENV and authEnvShape. */
export function refineAuthEnv(
  env: { NODE_ENV?: string; AUTH_DEV_MODE?: boolean },
  ctx: z.RefinementCtx,
): void {
  if (env.AUTH_DEV_MODE === true && env.NODE_ENV === 'production') {
    ctx.addIssue({ code: 'custom', path: ['AUTH_DEV_MODE'], message: DEV_MODE_IN_PRODUCTION_MESSAGE })
  }
}

/** NODE_ENV plus the auth settings, for services that need nothing else from the base schema. */
export const authEnvSchema = z
  .object({ NODE_ENV: envVars.nodeEnv(), ...authEnvShape })
  .superRefine(refineAuthEnv)

export type AuthEnv = z.infer<typeof authEnvSchema>

/** The verifier options a parsed env asks for. */
export function verifierOptionsFromEnv(
  env: Pick<AuthEnv, 'SUPABASE_URL' | 'SUPABASE_JWKS_URL' | 'SUPABASE_JWT_SECRET' | 'AUTH_CLOCK_TOLERANCE_S'>,
): AccessTokenVerifierOptions {
  return {
    supabaseUrl: env.SUPABASE_URL,
    jwksUrl: env.SUPABASE_JWKS_URL ?? defaultJwksUrl(env.SUPABASE_URL),
    ...(env.SUPABASE_JWT_SECRET ? { jwtSecret: env.SUPABASE_JWT_SECRET } : {}),
    clockToleranceSec: env.AUTH_CLOCK_TOLERANCE_S,
  }
}

/**
 * The runtime guard behind the env refinement, for code paths that do not go through the schema: throws
 * when dev mode is asked for in production. `createDevTokenIssuer` calls it too.
 */
export function assertDevModeAllowed(nodeEnv: string | undefined = process.env.NODE_ENV): void {
  if (nodeEnv === 'production') {
    throw new AppError('FORBIDDEN', `AUTH_DEV_MODE ${DEV_MODE_IN_PRODUCTION_MESSAGE}`, {
      details: { reason: 'dev_mode_in_production' },
    })
  }
}
