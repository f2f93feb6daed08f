import type { Database, DB } from '@psa/db'
import { compiledStatement, sql } from '@psa/db'
import { SESSION_ERROR_CODES } from '@psa/errors'
import type { AgentTypeName } from '@psa/proto'
import type { Selectable } from 'kysely'
import { toJsonb } from './jsonb.js'
import type { SessionRow } from './session-store.js'

export interface SessionError {
  code: string
  message: string
}

export interface Completion {
  result: unknown
  agentsInvolved: string[]
  processingTimeMs: number
  inputTokens: number
  outputTokens: number
}

export type StartAttempt =
  /** `lastLoggedSeq`: the highest event sequence in the log at the claim (0 when none). */
  | { kind: 'started'; session: SessionRow; attempt: number; lastLoggedSeq: number }
  | { kind: 'finished'; session: SessionRow }
  | { kind: 'missing' }

/** What a running attempt finds when it looks at its session again (between heartbeats). */
export type AttemptCheck =
  | { kind: 'current' }
  /** A newer attempt owns the session, or it is no longer processing. */
  | { kind: 'stale' }
  /** A cancel is recorded for the session (the broadcast may have been missed). */
  | { kind: 'cancel'; reason: string }

/**
 * The worker's side of a session (service role): claiming it for an attempt and writing the attempt's
 * outcome and proposals. Writes are fenced by the attempt number, so a stale worker (one whose delivery was
 * handed to another after a timeout) can never overwrite the outcome of a newer attempt.
 */
export class AttemptStore {
  constructor(readonly db: Database) {}

  /**
   * Claims the session for a new attempt: queued or (after a crash) processing -> processing. The claim and
   * the log's last sequence (where the attempt's events continue) go in one round trip; a session the claim
   * does not take (finished, missing, or committed just now) is looked at again in a transaction of its own.
   */
  async start(sessionId: string): Promise<StartAttempt> {
    const [claimed, logged] = await this.db.pipeline(null, (tx) => [
      tx<SessionRow[]>`
        update public.agent_sessions
           set status = 'processing', started_at = coalesce(started_at, now()), attempts = attempts + 1
         where id = ${sessionId} and status in ('queued', 'processing')
        returning *`,
      tx<
        { seq: number | null }[]
      >`select max(seq) as seq from public.agent_logs where session_id = ${sessionId}`,
    ])
    const started = claimed[0]
    if (started) {
      const lastLoggedSeq = Number(logged[0]?.seq ?? 0)
      return { kind: 'started', session: started, attempt: started.attempts, lastLoggedSeq }
    }
    return this.#startUnclaimed(sessionId)
  }

  // Taken by most claims when workers are idle: the orchestrator publishes inside the admission
  // transaction, so the first claim often runs before its commit. Pipelined: the claim travels with BEGIN.
  async #startUnclaimed(sessionId: string): Promise<StartAttempt> {
    return this.db.asPipelined(null, async (tx) => {
      const claim = () =>
        tx
          .updateTable('agent_sessions')
          .set((eb) => ({
            status: 'processing',
            started_at: sql<Date>`coalesce(started_at, now())`,
            attempts: eb('attempts', '+', 1),
          }))
          .where('id', '=', sessionId)
          .where('status', 'in', ['queued', 'processing'])
          .returningAll()
          .executeTakeFirst()
      const logged = async () => {
        const row = await tx
          .selectFrom('agent_logs')
          .select((eb) => eb.fn.max('seq').as('seq'))
          .where('session_id', '=', sessionId)
          .executeTakeFirst()
        return { lastLoggedSeq: Number(row?.seq ?? 0) }
      }
      // Together: the log's last sequence travels with the claim (the writer continues after the higher of
      // it and JetStream's last, so either order of the two is safe).
      const [started, log] = await Promise.all([claim(), logged()])
      if (started) return { kind: 'started', session: started, attempt: started.attempts, ...log }
      const current = await tx
        .selectFrom('agent_sessions')
        .selectAll()
        .where('id', '=', sessionId)
        .executeTakeFirst()
      if (current && (current.status === 'queued' || current.status === 'processing')) {
        // The submit committed between the claim and this read (each statement sees the latest commits):
        // the session is unclaimed, not finished.
        const late = await claim()
        if (late) return { kind: 'started', session: late, attempt: late.attempts, ...(await logged()) }
      }
      return current ? { kind: 'finished', session: current } : { kind: 'missing' }
    })
  }

  /** The cancel request recorded for the session, if any (or its reason, once it is cancelled). */
  async cancelRequest(sessionId: string): Promise<{ reason: string } | undefined> {
    const [row] = await this.db.runQuery(
      null,
      this.db.kysely
        .selectFrom('agent_sessions')
        .select(['cancel_requested_at', 'cancel_reason', 'status'])
        .where('id', '=', sessionId)
        .compile(),
    )
    if (!row) return undefined
    if (row.cancel_requested_at || row.status === 'cancelled')
      return { reason: row.cancel_reason ?? 'Cancelled' }
    return undefined
  }

  /** Whether `attempt` still owns the session, and whether a cancel is recorded for it (the heartbeat's look). */
  async check(sessionId: string, attempt: number): Promise<AttemptCheck> {
    const [row] = await this.db.runQuery(
      null,
      this.db.kysely
        .selectFrom('agent_sessions')
        .select(['status', 'attempts', 'cancel_requested_at', 'cancel_reason'])
        .where('id', '=', sessionId)
        .compile(),
    )
    if (row?.status !== 'processing' || row.attempts !== attempt) return { kind: 'stale' }
    if (row.cancel_requested_at) return { kind: 'cancel', reason: row.cancel_reason ?? 'Cancelled' }
    return { kind: 'current' }
  }

  /** Completes the attempt's session; false when the attempt is stale or the session already finished. */
  async complete(sessionId: string, attempt: number, completion: Completion): Promise<boolean> {
    return this.#finish(sessionId, attempt, {
      status: 'completed',
      result: toJsonb(completion.result ?? null),
      agents_involved: completion.agentsInvolved,
      processing_time_ms: completion.processingTimeMs,
      input_tokens: completion.inputTokens,
      output_tokens: completion.outputTokens,
    })
  }

  async fail(
    sessionId: string,
    attempt: number | null,
    error: SessionError,
    extra: Partial<
      Pick<Completion, 'processingTimeMs' | 'inputTokens' | 'outputTokens' | 'agentsInvolved'>
    > = {},
  ): Promise<boolean> {
    return this.#finish(sessionId, attempt, {
      status: 'failed',
      error: toJsonb(error),
      ...(extra.processingTimeMs === undefined ? {} : { processing_time_ms: extra.processingTimeMs }),
      ...(extra.inputTokens === undefined ? {} : { input_tokens: extra.inputTokens }),
      ...(extra.outputTokens === undefined ? {} : { output_tokens: extra.outputTokens }),
      ...(extra.agentsInvolved === undefined ? {} : { agents_involved: extra.agentsInvolved }),
    })
  }

  async markCancelled(
    sessionId: string,
    attempt: number,
    reason: string,
    processingTimeMs?: number,
  ): Promise<boolean> {
    return this.#finish(sessionId, attempt, {
      status: 'cancelled',
      error: toJsonb({ code: SESSION_ERROR_CODES.CANCELLED, message: reason }),
      ...(processingTimeMs === undefined ? {} : { processing_time_ms: processingTimeMs }),
    })
  }

  async #finish(
    sessionId: string,
    attempt: number | null,
    values: Record<string, unknown> & { status: 'completed' | 'failed' | 'cancelled' },
  ): Promise<boolean> {
    const update = this.db.kysely
      .updateTable('agent_sessions')
      .set({
        ...values,
        completed_at: sql<Date>`now()`,
        started_at: sql<Date>`coalesce(started_at, now())`,
      })
      .where('id', '=', sessionId)
      .where('status', 'in', attempt === null ? ['queued', 'processing'] : ['processing'])
      .$if(attempt !== null, (q) => q.where('attempts', '=', attempt as number))
      .returning('id')
      .compile()
    // One round trip: BEGIN, the prelude, the fenced update and COMMIT in one write.
    const [rows] = await this.db.pipeline(null, (tx) => [compiledStatement(tx, update)])
    return rows.length > 0
  }

  /** Records a request that exhausted its deliveries and fails its session (idempotent). */
  async deadLetter(input: {
    sessionId: string
    organisationId: string
    agentType: AgentTypeName
    payload: unknown
    reason: string
    deliveries: number
  }): Promise<{ recorded: boolean; sessionFailed: boolean }> {
    return this.db.asService(async (tx) => {
      const already = await tx
        .selectFrom('agent_dead_letters')
        .select('id')
        .where('session_id', '=', input.sessionId)
        .executeTakeFirst()
      if (!already) {
        await tx
          .insertInto('agent_dead_letters')
          .values({
            organisation_id: input.organisationId,
            session_id: input.sessionId,
            agent_type: input.agentType,
            payload: toJsonb(input.payload ?? null),
            reason: input.reason,
            deliveries: input.deliveries,
          })
          .execute()
      }
      const failed = await tx
        .updateTable('agent_sessions')
        .set({
          status: 'failed',
          completed_at: sql<Date>`now()`,
          started_at: sql<Date>`coalesce(started_at, now())`,
          error: toJsonb({
            code: SESSION_ERROR_CODES.DEAD_LETTERED,
            message: `The request could not be processed after ${input.deliveries} attempts: ${input.reason}`,
          }),
        })
        .where('id', '=', input.sessionId)
        .where('status', 'in', ['queued', 'processing'])
        .returning('id')
        .executeTakeFirst()
      return { recorded: !already, sessionFailed: failed !== undefined }
    })
  }

  /**
   * Stores a proposal once per (session, idempotency key): a redelivered request that reaches the same step
   * gets the proposal it created the first time instead of a duplicate.
   */
  async upsertProposal(input: {
    sessionId: string
    organisationId: string
    agentType: AgentTypeName
    idempotencyKey: string
    title: string
    summary: string
    changeset: unknown
  }): Promise<{ proposal: Selectable<DB['proposals']>; created: boolean }> {
    // Without Kysely's per-statement lock: the insert travels with BEGIN and the prelude.
    return this.db.asPipelined(null, async (tx) => {
      const inserted = await tx
        .insertInto('proposals')
        .values({
          organisation_id: input.organisationId,
          session_id: input.sessionId,
          agent_type: input.agentType,
          idempotency_key: input.idempotencyKey,
          title: input.title,
          summary: input.summary,
          changeset: toJsonb(input.changeset),
        })
        .onConflict((oc) => oc.columns(['session_id', 'idempotency_key']).doNothing())
        .returningAll()
        .executeTakeFirst()
      if (inserted) return { proposal: inserted, created: true }
      const existing = await tx
        .selectFrom('proposals')
        .selectAll()
        .where('session_id', '=', input.sessionId)
        .where('idempotency_key', '=', input.idempotencyKey)
        .executeTakeFirstOrThrow()
      return { proposal: existing, created: false }
    })
  }
}
