import type { VerifiedUser } from '@psa/auth'
import { type Database, type JwtClaims, type Membership, resolveMembership, type Tx } from '@psa/db'

/** The verified token's claims, as Postgres sees them in `request.jwt.claims` (RLS reads them). */
export function claimsOf(user: VerifiedUser): JwtClaims {
  return user.claims as JwtClaims
}

/**
 * Runs fn in one transaction as the user (RLS applies to every query), with the membership of the
 * organisation the request names, or of the user's only/first organisation. Naming an organisation the user
 * does not belong to is NOT_FOUND (ids of other tenants do not leak).
 */
export function asMember<T>(
  db: Database,
  user: VerifiedUser,
  organisationId: string | undefined,
  fn: (tx: Tx, membership: Membership) => Promise<T>,
): Promise<T> {
  return db.asUser(claimsOf(user), async (tx) =>
    fn(tx, await resolveMembership(tx, user.userId, organisationId)),
  )
}
