import { AppError } from '@psa/errors'
import type postgres from 'postgres'
import type { Tx } from './database.js'
import type { MembershipRole } from './gen/database.js'

/** Every membership role, most powerful first (the schema's `membership_role` enum). */
export const MEMBERSHIP_ROLES = [
  'owner',
  'admin',
  'manager',
  'member',
  'viewer',
] as const satisfies readonly MembershipRole[]

// A role added to the enum by a migration fails the build here until it has a rank.
type Unranked = Exclude<MembershipRole, (typeof MEMBERSHIP_ROLES)[number]>
const everyRoleRanked: [Unranked] extends [never] ? true : Unranked = true
void everyRoleRanked

/** Whether `role` is `atLeast` or above (owner > admin > manager > member > viewer); no role is never enough. */
export function hasRole(role: MembershipRole | null | undefined, atLeast: MembershipRole): boolean {
  if (!role) return false
  return MEMBERSHIP_ROLES.indexOf(role) <= MEMBERSHIP_ROLES.indexOf(atLeast)
}

/** The user's membership of the organisation a request names, or of their only/first organisation. */
export interface Membership {
  organisationId: string
  role: MembershipRole
}

/**
 * What not finding the membership means: naming an organisation the user does not belong to is NOT_FOUND
 * (ids of other tenants do not leak); naming none, with no organisation at all, is FORBIDDEN.
 */
export function noMembership(organisationId: string | undefined): AppError {
  return organisationId
    ? new AppError('NOT_FOUND', 'Organisation not found', { details: { organisation_id: organisationId } })
    : new AppError('FORBIDDEN', 'You are not a member of any organisation')
}

/**
 * Resolves the membership inside a transaction as the user (RLS shows them their own memberships); no (or
 * an empty) organisation id means the first one: the oldest membership, ties broken by id. Throws
 * `noMembership`.
 */
export async function resolveMembership(
  tx: Tx,
  userId: string,
  organisationId: string | undefined,
): Promise<Membership> {
  const row = await tx
    .selectFrom('memberships')
    .select(['organisation_id', 'role'])
    .where('user_id', '=', userId)
    .$if(Boolean(organisationId), (q) => q.where('organisation_id', '=', organisationId as string))
    .orderBy('created_at')
    .orderBy('organisation_id')
    .limit(1)
    .executeTakeFirst()
  if (!row) throw noMembership(organisationId)
  return { organisationId: row.organisation_id, role: row.role }
}

/**
 * The same resolution as a postgres.js subquery yielding `{organisationId, role}` as json (or null), for
 * statements pipelined on the raw connection (the admission hot path).
 */
export function membershipSubquery(
  sql: postgres.Sql | postgres.TransactionSql,
  userId: string,
  organisationId: string | undefined,
): postgres.PendingQuery<postgres.Row[]> {
  return sql`(select json_build_object('organisationId', organisation_id, 'role', role)
      from memberships
     where user_id = ${userId}
       and (${organisationId ?? null}::uuid is null or organisation_id = ${organisationId ?? null}::uuid)
     order by created_at, organisation_id
     limit 1)`
}
