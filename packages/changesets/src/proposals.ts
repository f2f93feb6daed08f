import { type Database, type DB, hasRole, type JwtClaims, type MembershipRole, sql, type Tx } from '@psa/db'
import { AppError, type ErrorCode, isAppError } from '@psa/errors'
import type { Selectable } from 'kysely'
import { executeOperations } from './engine.js'
import { changesetSchema, type RevertOperation, revertChangesetSchema } from './format.js'

export type ProposalRow = Selectable<DB['proposals']>
export type ProposalStatus = ProposalRow['status']

/** Who may apply, reject and revert proposals: managers and above (the same rule RLS enforces). */
export function canDecideProposals(role: MembershipRole | null | undefined): boolean {
  return hasRole(role, 'manager')
}

export interface DecisionOptions {
  /** The proposal version the caller saw; a different current version is a VERSION_CONFLICT. */
  expectedVersion?: number | undefined
}

/**
 * Error codes that say the changeset itself cannot be applied as it stands (its rows changed or vanished,
 * it breaks a rule of the data, or it is malformed). Such a failure is recorded on the proposal (status
 * `failed` with the error), so whoever looks at it next sees why; it can be retried or rejected. Anything
 * else (not allowed, database down, a bug) says nothing about the proposal and leaves it as it was.
 */
const RECORDED_FAILURES: ReadonlySet<ErrorCode> = new Set([
  'VALIDATION_FAILED',
  'VERSION_CONFLICT',
  'NOT_FOUND',
  'ALREADY_EXISTS',
])

/**
 * Applies a pending (or previously failed) proposal's changeset in one transaction as the user: RLS and
 * role policies decide what may change, every row is compare-and-set, and the exact inverse is stored in
 * `revert_changeset`. Returns the proposal, now `applied`.
 */
export async function applyProposal(
  db: Database,
  claims: JwtClaims,
  proposalId: string,
  options: DecisionOptions = {},
): Promise<ProposalRow> {
  let failure: { error: AppError; version: number } | undefined
  try {
    return await db.asUser(claims, async (tx) => {
      const proposal = await lockForDecision(tx, claims, proposalId, options, ['pending', 'failed'], 'apply')
      let revert: RevertOperation[]
      try {
        const parsed = changesetSchema.safeParse(proposal.changeset)
        if (!parsed.success) {
          throw new AppError('VALIDATION_FAILED', 'The proposal holds a malformed changeset', {
            details: {
              reason: 'invalid_changeset',
              issues: parsed.error.issues
                .slice(0, 20)
                .map((i) => ({ path: i.path.join('.'), message: i.message })),
            },
          })
        }
        revert = await executeOperations(tx, parsed.data.operations, {
          organisationId: proposal.organisation_id,
          mode: 'apply',
        })
      } catch (err) {
        if (isAppError(err) && RECORDED_FAILURES.has(err.code)) {
          failure = { error: err, version: proposal.version }
        }
        throw err
      }
      await asRecorder(tx)
      return tx
        .updateTable('proposals')
        .set({
          status: 'applied',
          revert_changeset: jsonb({ version: 1, operations: revert }),
          error: null,
          applied_by: claims.sub,
        })
        .where('id', '=', proposal.id)
        .where('version', '=', proposal.version)
        .returningAll()
        .executeTakeFirstOrThrow()
    })
  } catch (err) {
    if (failure) throw await recordFailure(db, proposalId, failure)
    throw err
  }
}

/** Marks a pending (or failed) proposal rejected; nothing else changes. */
export async function rejectProposal(
  db: Database,
  claims: JwtClaims,
  proposalId: string,
  options: DecisionOptions = {},
): Promise<ProposalRow> {
  return db.asUser(claims, async (tx) => {
    const proposal = await lockForDecision(tx, claims, proposalId, options, ['pending', 'failed'], 'reject')
    return tx
      .updateTable('proposals')
      .set({ status: 'rejected' })
      .where('id', '=', proposal.id)
      .where('version', '=', proposal.version)
      .returningAll()
      .executeTakeFirstOrThrow()
  })
}

/**
 * Undoes an applied proposal by running its stored inverse in one transaction. The user must be allowed
 * to decide on the proposal (RLS finds it, managers and up), and the inverse then runs as the service: it
 * was recorded by the service when the apply ran as the user, no user can change it (migration
 * 20261202000300), and it restores states a user cannot reach directly (a revised quote back to `sent`,
 * which for a user takes an approval). If any row it
 * touches changed since the apply, nothing is reverted and the answer is VERSION_CONFLICT naming the row;
 * the proposal stays `applied`.
 */
export async function revertProposal(
  db: Database,
  claims: JwtClaims,
  proposalId: string,
  options: DecisionOptions = {},
): Promise<ProposalRow> {
  return db.asUser(claims, async (tx) => {
    const proposal = await lockForDecision(tx, claims, proposalId, options, ['applied'], 'revert')
    const parsed = revertChangesetSchema.safeParse(proposal.revert_changeset)
    if (!parsed.success) {
      throw new AppError('INVALID_STATE', 'The proposal has no usable revert changeset', {
        details: { proposal_id: proposal.id, reason: 'invalid_revert_changeset' },
      })
    }
    await asRecorder(tx)
    await executeOperations(tx, parsed.data.operations, {
      organisationId: proposal.organisation_id,
      mode: 'revert',
    })
    return tx
      .updateTable('proposals')
      .set({ status: 'reverted', reverted_by: claims.sub })
      .where('id', '=', proposal.id)
      .where('version', '=', proposal.version)
      .returningAll()
      .executeTakeFirstOrThrow()
  })
}

/**
 * Finds the proposal (NOT_FOUND when it is not the user's organisation's, so ids do not leak), checks the
 * user may decide (FORBIDDEN otherwise), locks it, and checks the caller's expected version and its status.
 */
async function lockForDecision(
  tx: Tx,
  claims: JwtClaims,
  proposalId: string,
  options: DecisionOptions,
  from: readonly ProposalStatus[],
  action: 'apply' | 'reject' | 'revert',
): Promise<ProposalRow> {
  const visible = await tx
    .selectFrom('proposals')
    .select(['id', 'organisation_id'])
    .where('id', '=', proposalId)
    .executeTakeFirst()
  if (!visible) {
    throw new AppError('NOT_FOUND', 'Proposal not found', { details: { proposal_id: proposalId } })
  }
  const membership = await tx
    .selectFrom('memberships')
    .select('role')
    .where('user_id', '=', claims.sub)
    .where('organisation_id', '=', visible.organisation_id)
    .executeTakeFirst()
  if (!canDecideProposals(membership?.role)) {
    throw new AppError('FORBIDDEN', `Only managers, admins and owners can ${action} proposals`, {
      details: { proposal_id: proposalId, role: membership?.role ?? null },
    })
  }
  const proposal = await tx
    .selectFrom('proposals')
    .selectAll()
    .where('id', '=', proposalId)
    .forUpdate()
    .executeTakeFirst()
  if (!proposal) {
    throw new AppError('NOT_FOUND', 'Proposal not found', { details: { proposal_id: proposalId } })
  }
  if (options.expectedVersion !== undefined && options.expectedVersion !== proposal.version) {
    throw new AppError('VERSION_CONFLICT', 'The proposal changed since you read it', {
      details: {
        table: 'proposals',
        id: proposal.id,
        expected_version: options.expectedVersion,
        current_version: proposal.version,
        status: proposal.status,
      },
    })
  }
  if (!from.includes(proposal.status)) {
    throw new AppError('INVALID_STATE', `A ${proposal.status} proposal cannot be ${pastTense(action)}`, {
      details: { proposal_id: proposal.id, status: proposal.status, allowed_from: from },
    })
  }
  return proposal
}

/**
 * The rest of the transaction runs as the service role: the changeset ran as the user (RLS decided what it
 * could change), and only the service records its outcome. Signed-in users cannot set a proposal applied,
 * reverted or failed, nor its inverse or error, through the API (migration 20261202000300).
 */
async function asRecorder(tx: Tx): Promise<void> {
  await sql`select set_config('role', 'service_role', true)`.execute(tx)
}

function pastTense(action: 'apply' | 'reject' | 'revert'): string {
  return action === 'apply' ? 'applied' : `${action}ed`
}

/** Stores the failure on the proposal in its own transaction (the apply rolled back), then returns it. */
async function recordFailure(
  db: Database,
  proposalId: string,
  failure: { error: AppError; version: number },
): Promise<AppError> {
  const { error } = failure
  try {
    // After lockForDecision checked the caller may decide: recorded by the service (see asRecorder).
    const updated = await db.asService((tx) =>
      tx
        .updateTable('proposals')
        .set({
          status: 'failed',
          error: jsonb({
            code: error.code,
            message: error.message,
            ...(error.details ? { details: error.details } : {}),
          }),
        })
        .where('id', '=', proposalId)
        .where('version', '=', failure.version)
        .where('status', 'in', ['pending', 'failed'])
        .returning(['status', 'version'])
        .executeTakeFirst(),
    )
    if (!updated) return error
    const details = error.details && !Array.isArray(error.details) ? error.details : {}
    return new AppError(error.code, error.message, {
      details: { ...details, proposal_status: updated.status, proposal_version: updated.version },
      cause: error.cause,
    })
  } catch {
    // Recording is a courtesy; the caller must still learn why the apply failed.
    return error
  }
}

// Bound as text and cast: postgres.js would JSON-encode a string bound to a jsonb parameter a second time.
function jsonb(value: unknown) {
  return sql<string>`${JSON.stringify(value)}::text::jsonb`
}
