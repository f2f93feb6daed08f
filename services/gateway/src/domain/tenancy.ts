import type { VerifiedUser } from '@psa/auth'
import type { Database, JwtClaims, Tx } from '@psa/db'
import { AppError } from '@psa/errors'

export type MembershipRole = 'owner' | 'admin' | 'manager' | 'member' | 'viewer'

export interface Membership {
  organisationId: string
  role: MembershipRole
}

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
  return db.asUser(claimsOf(user), async (tx) => {
    const row = await tx
      .selectFrom('memberships')
      .select(['organisation_id', 'role'])
      .where('user_id', '=', user.userId)
      .$if(organisationId !== undefined, (q) => q.where('organisation_id', '=', organisationId as string))
      .orderBy('created_at')
      .orderBy('organisation_id')
      .limit(1)
      .executeTakeFirst()
    if (!row) {
      throw organisationId
        ? new AppError('NOT_FOUND', 'Organisation not found', {
            details: { organisation_id: organisationId },
          })
        : new AppError('FORBIDDEN', 'You are not a member of any organisation')
    }
    return fn(tx, { organisationId: row.organisation_id, role: row.role })
  })
}
