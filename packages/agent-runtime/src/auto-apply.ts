import { setTimeout as sleep } from 'node:timers/promises'
import { applyProposal, type ProposalRow, type ProposalStatus } from '@psa/changesets'
import type { Logger } from '@psa/config'
import type { Database, JwtClaims } from '@psa/db'
import { type AppError, isAppError } from '@psa/errors'
import type { JSONValue } from '@strands-agents/sdk'
import { isTransient, TransientFailure } from './failures.js'

/** How an auto-apply ended (the `outcome` label of `psa_agent_auto_apply_total`). */
export type AutoApplyOutcome =
  /** Applied now. */
  | 'applied'
  /** Found applied (an earlier attempt of this request, or a person, did it): not applied again. */
  | 'already_applied'
  /** The user may not apply it (demoted since submitting, or RLS refused a row): it stays pending. */
  | 'forbidden'
  /** The changeset cannot be applied as it stands (conflict, rule of the data): the proposal is failed. */
  | 'failed'
  /** An earlier attempt's auto-apply failed and recorded why: not tried again. */
  | 'previously_failed'
  /** A person rejected it before it could be applied. */
  | 'rejected'
  /** It was applied and has since been reverted: never applied a second time. */
  | 'reverted'
  /** Something unexpected (a bug, a refusal that says nothing about the proposal): left as it is. */
  | 'error'

/** What auto-applying one proposal came to; the tool's result, the event and the session result carry it. */
export interface AutoApplyResult {
  applied: boolean
  outcome: AutoApplyOutcome
  /** The proposal's status afterwards. */
  status: ProposalStatus
  /** Why it was not applied: the apply's stable error code, message and details. */
  error?: { code: string; message: string; details?: JSONValue }
  /** What happened, in words the model can pass on to the user. */
  message: string
}

export interface AutoApplyDeps {
  db: Database
  /** The submitting user's claims: the apply runs as them, so RLS and the role policies decide. */
  claims: JwtClaims
  logger: Logger
  signal?: AbortSignal
  /** Pauses before retrying an apply that hit a transient failure (deadlock, database blip). */
  retryDelaysMs?: readonly number[]
}

const DEFAULT_RETRY_DELAYS_MS = [200, 800]

/**
 * Applies a proposal the request asked to auto-apply, as the submitting user, through `applyProposal`: it
 * re-checks the user's role in the same transaction (`canDecideProposals`: they may have been demoted since
 * submitting), applies every row compare-and-set, and records a failure on the proposal when the changeset
 * itself is at fault. Idempotent across attempts: only a `pending` proposal is applied, and only at the
 * version this attempt saw; one found applied is reported applied, never applied twice.
 *
 * Refusals and failures are results, not errors: an auto-apply that does not happen must not fail the
 * session. Only a failure that will likely go away (the database unreachable after the retries) is thrown,
 * as a `TransientFailure`: the attempt is retried later and finds the proposal still pending.
 */
export async function autoApplyProposal(
  deps: AutoApplyDeps,
  proposal: ProposalRow,
): Promise<AutoApplyResult> {
  if (proposal.status !== 'pending') return describeDecided(proposal.status, proposal.error)
  const delays = deps.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS
  for (let retry = 0; ; retry++) {
    try {
      const applied = await applyProposal(deps.db, deps.claims, proposal.id, {
        expectedVersion: proposal.version,
      })
      return {
        applied: true,
        outcome: 'applied',
        status: applied.status,
        message:
          'Applied automatically, as the request asked: the changes are in place (a manager can revert them from the proposal).',
      }
    } catch (err) {
      if (isTransient(err) && retry < delays.length) {
        deps.logger.warn(
          { err, proposal_id: proposal.id, retry: retry + 1 },
          'auto-apply hit a transient failure; retrying',
        )
        await sleep(delays[retry], undefined, deps.signal ? { signal: deps.signal } : {})
        continue
      }
      return explainFailure(deps, proposal, err)
    }
  }
}

async function explainFailure(
  deps: AutoApplyDeps,
  proposal: ProposalRow,
  err: unknown,
): Promise<AutoApplyResult> {
  const log = deps.logger
  if (isAppError(err)) {
    const details = detailsOf(err)
    // applyProposal recorded the failure on the proposal: the changeset cannot be applied as it stands.
    if (typeof details.proposal_status === 'string') {
      log.info(
        { proposal_id: proposal.id, code: err.code },
        'auto-apply failed; the proposal is marked failed',
      )
      return {
        applied: false,
        outcome: 'failed',
        status: details.proposal_status as ProposalStatus,
        error: errorOf(err),
        message: `Proposed, but not applied automatically because the changes could not be applied: ${err.message} (${err.code}). The proposal is marked failed with this reason; it can be applied once the data is fixed, or rejected.`,
      }
    }
    if (err.code === 'FORBIDDEN') {
      // The role check names the role; a row RLS refused names the row.
      const role = 'role' in details ? String(details.role ?? 'none') : undefined
      const reason =
        role !== undefined
          ? `your role (${role}) does not allow applying proposals`
          : `you may not make one of its changes (${err.message})`
      log.info({ proposal_id: proposal.id, role }, 'auto-apply refused; the proposal stays pending')
      return {
        applied: false,
        outcome: 'forbidden',
        status: proposal.status,
        error: errorOf(err),
        message: `Proposed, but not applied automatically because ${reason}. The proposal is pending for a manager, admin or owner to apply or reject.`,
      }
    }
  }
  // Not about the changeset: the proposal changed under us (a person decided, a concurrent attempt applied
  // it, or a commit succeeded before the connection dropped), or something broke. Its row says which.
  let current: ProposalRow | undefined
  try {
    current = await deps.db.asService((tx) =>
      tx.selectFrom('proposals').selectAll().where('id', '=', proposal.id).executeTakeFirst(),
    )
  } catch (readErr) {
    if (isTransient(err) || isTransient(readErr)) {
      throw new TransientFailure('could not auto-apply the proposal', { cause: err })
    }
    log.error({ err: readErr }, 'could not read the proposal after a failed auto-apply')
  }
  if (current && current.status !== 'pending') return describeDecided(current.status, current.error)
  if (isTransient(err)) throw new TransientFailure('could not auto-apply the proposal', { cause: err })
  log.error({ err, proposal_id: proposal.id }, 'auto-apply failed unexpectedly; the proposal stays pending')
  const error = isAppError(err)
    ? errorOf(err)
    : { code: 'INTERNAL', message: 'The apply failed unexpectedly' }
  return {
    applied: false,
    outcome: 'error',
    status: current?.status ?? proposal.status,
    error,
    message: `Proposed, but not applied automatically because of a problem while applying it: ${error.message} (${error.code}). The proposal is pending for a manager, admin or owner to apply or reject.`,
  }
}

/** A proposal that is no longer pending is reported as it stands; nothing is applied. */
function describeDecided(status: Exclude<ProposalStatus, 'pending'>, error: unknown): AutoApplyResult {
  switch (status) {
    case 'applied':
      return {
        applied: true,
        outcome: 'already_applied',
        status: 'applied',
        message:
          'Already applied (by an earlier attempt of this request or by a person); the changes are in place and were not applied again.',
      }
    case 'rejected':
      return {
        applied: false,
        outcome: 'rejected',
        status: 'rejected',
        error: { code: 'INVALID_STATE', message: 'The proposal was rejected' },
        message:
          'Proposed, but not applied: someone rejected the proposal before it could be applied automatically.',
      }
    case 'reverted':
      return {
        applied: false,
        outcome: 'reverted',
        status: 'reverted',
        error: { code: 'INVALID_STATE', message: 'The proposal was applied and then reverted' },
        message:
          'Not applied again: the proposal was applied earlier and has since been reverted, so its changes are not in place.',
      }
    case 'failed': {
      const stored = storedError(error)
      return {
        applied: false,
        outcome: 'previously_failed',
        status: 'failed',
        error: stored,
        message: `Proposed, but not applied automatically because an earlier attempt could not apply it: ${stored.message} (${stored.code}). The proposal is marked failed with this reason; it can be applied once the data is fixed, or rejected.`,
      }
    }
  }
}

function detailsOf(err: AppError): Record<string, unknown> {
  const details = err.details
  return details && typeof details === 'object' && !Array.isArray(details)
    ? (details as Record<string, unknown>)
    : {}
}

function errorOf(err: AppError): { code: string; message: string; details?: JSONValue } {
  const details = detailsOf(err)
  return {
    code: err.code,
    message: err.message,
    ...(Object.keys(details).length > 0 ? { details: JSON.parse(JSON.stringify(details)) as JSONValue } : {}),
  }
}

function storedError(value: unknown): { code: string; message: string } {
  const error = (value ?? {}) as { code?: unknown; message?: unknown }
  return {
    code: typeof error.code === 'string' ? error.code : 'INTERNAL',
    message: typeof error.message === 'string' ? error.message : 'The apply failed',
  }
}
