import { z } from 'zod'

// GoTrue serialises a nil metadata map as JSON null; treat that as empty rather than as a bad token.
const metadata = z
  .record(z.string(), z.unknown())
  .nullish()
  .transform((v) => v ?? {})

/** One `amr` entry. Custom access-token hooks may emit the RFC 8176 string form, which GoTrue also accepts. */
const amrEntry = z.union([z.object({ method: z.string(), timestamp: z.number() }).loose(), z.string()])

/**
 * The claims of a Supabase access token as we rely on them. `sub`, `exp` and `role` are required; the rest
 * is optional because tokens minted by `supabase gen bearer-jwt` (and by custom access-token hooks) carry
 * only what they were given. Unknown claims are kept: they are forwarded to Postgres as
 * `request.jwt.claims`, where RLS policies may read them.
 */
export const supabaseClaimsSchema = z
  .object({
    sub: z.uuid({ error: 'must be the user id (a UUID)' }),
    exp: z.number({ error: 'must be a NumericDate' }).finite(),
    role: z.string({ error: 'must be a string' }).min(1, { error: 'must not be empty' }),
    iat: z.number().finite().optional(),
    nbf: z.number().finite().optional(),
    iss: z.string().optional(),
    aud: z.union([z.string(), z.array(z.string())]).optional(),
    email: z.string().optional(),
    phone: z.string().optional(),
    session_id: z.uuid({ error: 'must be a UUID' }).optional(),
    aal: z.string().optional(),
    amr: z.array(amrEntry).nullish(),
    is_anonymous: z.boolean().optional(),
    app_metadata: metadata,
    user_metadata: metadata,
  })
  .loose()

export type SupabaseClaims = z.output<typeof supabaseClaimsSchema>

/** The caller of a request, as proven by a verified access token. */
export interface VerifiedUser {
  /** `sub`: the Supabase user id (auth.users.id). */
  userId: string
  /** `email`, or null when the token has none (Supabase sends "" for phone-only users). */
  email: string | null
  /** `phone`, or null when empty. */
  phone: string | null
  /** `role`: the Postgres role the token asks for, normally `authenticated`. */
  role: string
  /** `session_id`, or null for tokens minted outside a sign-in (e.g. `supabase gen bearer-jwt`). */
  sessionId: string | null
  /** `aal` (`aal1`/`aal2`), or null when absent. */
  aal: string | null
  isAnonymous: boolean
  /** `app_metadata`: set only by the server (provider, providers, anything an admin put there). */
  appMetadata: Record<string, unknown>
  /** `user_metadata`: editable by the user themself, so never trust it for authorisation. */
  userMetadata: Record<string, unknown>
  /** `exp` as a Date. */
  expiresAt: Date
  /**
   * The verified payload exactly as signed, unknown claims included: what PostgREST puts in
   * `request.jwt.claims`, so RLS policies see the same JSON they would behind Supabase.
   */
  claims: Readonly<Record<string, unknown>>
}

export function toVerifiedUser(claims: SupabaseClaims, raw: Readonly<Record<string, unknown>>): VerifiedUser {
  return {
    userId: claims.sub,
    email: claims.email ? claims.email : null,
    phone: claims.phone ? claims.phone : null,
    role: claims.role,
    sessionId: claims.session_id ?? null,
    aal: claims.aal ?? null,
    isAnonymous: claims.is_anonymous ?? false,
    appMetadata: claims.app_metadata,
    userMetadata: claims.user_metadata,
    expiresAt: new Date(claims.exp * 1000),
    claims: raw,
  }
}
