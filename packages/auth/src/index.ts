export { type AuthorizationValue, extractBearerToken, MAX_TOKEN_LENGTH } from './bearer.js'
export { type SupabaseClaims, supabaseClaimsSchema, type VerifiedUser } from './claims.js'
export {
  type AmrEntry,
  createDevTokenIssuer,
  DEFAULT_ACCESS_TOKEN_TTL_SEC,
  type DevTokenIssuer,
  type DevTokenIssuerOptions,
  type DevUser,
  type MintedAccessToken,
  type MintOptions,
  type SupabaseAccessTokenClaims,
  type SupabaseIdentity,
  type SupabaseTokenResponse,
  type SupabaseUser,
} from './dev-issuer.js'
export {
  type AuthEnv,
  assertDevModeAllowed,
  authEnvSchema,
  authEnvShape,
  DEV_MODE_IN_PRODUCTION_MESSAGE,
  refineAuthEnv,
  verifierOptionsFromEnv,
} from './env.js'
export type { JwksCacheOptions, JwksErrorListener } from './jwks.js'
export {
  AUTH_FAILURE_REASONS,
  type AuthFailureDetails,
  type AuthFailureReason,
  authFailure,
  authFailureReason,
  bearerChallenge,
} from './reasons.js'
export {
  type AccessTokenVerifier,
  type AccessTokenVerifierOptions,
  createAccessTokenVerifier,
  defaultJwksUrl,
  normaliseSupabaseUrl,
  SUPABASE_AUDIENCE,
  type VerificationAlgorithm,
} from './verifier.js'
