import type { DB } from '@psa/db'
import { type Database, type JwtClaims, sql, type Tx } from '@psa/db'
import { AppError } from '@psa/errors'
import type { AgentTypeName, SessionStatusName } from '@psa/proto'
import type { Insertable, Selectable } from 'kysely'
import type postgres from 'postgres'
import { describeEvent, type SessionEventEnvelope } from './events.js'

export type SessionRow = Selectable<DB['agent_sessions']>

/**
 * A value for a jsonb column. postgres.js serialises parameters by the type the server infers, and for
 * jsonb that is JSON.stringify: passing an already stringified value would store a JSON string (and break
 * the object-shape checks), so values go in as they are.
 */
type Json = NonNullable<Insertable<DB['agent_sessions']>['result']>
const toJsonb = (value: unknown) => value as Json

const ROLE_RANK: Record<string, number> = { viewer: 0, member: 1, manager: 2, admin: 3, owner: 4 }

/** How an event is stored in `agent_logs`: searchable columns plus the whole envelope in `data`. */
export function eventLogRow(organisationId: string, attempt: number, event: SessionEventEnvelope) {
  return {
    organisation_id: organisationId,
    session_id: event.session_id,
    seq: event.seq,
    attempt,
    event_type: event.type,
    agent_name: event.agent,
    message: describeEvent(event).slice(0, 10_000),
    data: toJsonb(event),
    created_at: event.time,
  }
}

/** A user's membership, resolved for the organisation a request names (or their only/first one). */
export interface Membership {
  organisation_id: string
  role: 'owner' | 'admin' | 'manager' | 'member' | 'viewer'
}

export interface NewSession {
  id: string
  organisation_id: string
  agent_type: AgentTypeName
  request: string
  context: Record<string, unknown>
  auto_apply: boolean
  parent_session_id: string | null
  trace_id: string | null
}

export interface SessionListFilter {
  organisationId: string
  userId?: string
  status?: SessionStatusName
  agentType?: AgentTypeName
  includeChildren: boolean
  pageSize: number
  /** Keyset cursor: the (created_at, id) of the last row of the previous page. */
  after?: { createdAt: Date; id: string }
}

export interface QueuePosition {
  /** 1-based position among queued sessions of the type; 0 when not queued. */
  position: number
  /** Queued sessions of this type in all. */
  depth: number
}

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
  | { kind: 'started'; session: SessionRow; attempt: number }
  | { kind: 'finished'; session: SessionRow }
  | { kind: 'missing' }

export type CancelOutcome =
  | { kind: 'cancelled'; session: SessionRow }
  | { kind: 'requested'; session: SessionRow }

/**
 * Every read and state transition of agent sessions, shared by the orchestrator and the workers so the
 * rules live in one place. User-facing reads go through RLS (`asUser`); workers' writes run as the service.
 * Transitions are compare-and-set on the status, and a worker's writes are fenced by its attempt number,
 * so a stale worker (one whose delivery was handed to another after a timeout) can never overwrite the
 * outcome of a newer attempt.
 */
export class SessionStore {
  constructor(readonly db: Database) {}

  /** The caller's membership in `organisationId`, or in their only/first organisation when none is named. */
  async membership(claims: JwtClaims, organisationId?: string): Promise<Membership> {
    const rows = await this.db.asUser(claims, (tx) =>
      tx
        .selectFrom('memberships')
        .select(['organisation_id', 'role'])
        .where('user_id', '=', claims.sub)
        .$if(Boolean(organisationId), (q) => q.where('organisation_id', '=', organisationId as string))
        .orderBy('created_at')
        .orderBy('organisation_id')
        .execute(),
    )
    const first = rows[0]
    if (!first) {
      throw organisationId
        ? new AppError('NOT_FOUND', 'Organisation not found', {
            details: { organisation_id: organisationId },
          })
        : new AppError('FORBIDDEN', 'You are not a member of any organisation')
    }
    return first as Membership
  }

  static hasRole(membership: Membership, atLeast: Membership['role']): boolean {
    return (ROLE_RANK[membership.role] ?? -1) >= (ROLE_RANK[atLeast] ?? 99)
  }

  /**
   * Admits a request: inserts the queued session as the user (RLS decides whether they may submit, and
   * auto-apply), runs `enqueue` (publish the work and the admission event) and stores that event, before
   * the commit, all in one transaction that holds a per-user lock so the in-flight limit holds under
   * concurrent submits. If `enqueue` fails nothing is stored, and the session only becomes visible once
   * its work is safely in JetStream. Submitting an id that exists returns that session (a retry).
   *
   * This is the hot path of admission, so it is written as pipelined statements on the raw connection:
   * about four round trips and six statements instead of a transaction per step.
   */
  async submit(
    claims: JwtClaims,
    input: Omit<NewSession, 'organisation_id' | 'parent_session_id'> & { organisation_id?: string },
    options: {
      maxInFlight: number
      /** Throws to refuse (e.g. a viewer, or auto-apply below manager) before anything is written. */
      authorize?: (membership: Membership) => void
      /** Publishes the work and the admission event; the event (seq 1) is stored with the session. */
      enqueue: (session: SessionRow) => Promise<SessionEventEnvelope>
    },
  ): Promise<
    | { created: true; session: SessionRow; membership: Membership; event: SessionEventEnvelope }
    | { created: false; session: SessionRow }
  > {
    return this.db.asUserSql(claims, async (tx) => {
      const [, checks, existing] = await Promise.all([
        tx`select pg_advisory_xact_lock(hashtextextended(${`agent-submit:${claims.sub}`}, 0))`.execute(),
        tx<{ membership: Membership | null; in_flight: number }[]>`
          select
            (select json_build_object('organisation_id', organisation_id, 'role', role)
               from memberships
              where user_id = ${claims.sub}
                and (${input.organisation_id ?? null}::uuid is null or organisation_id = ${input.organisation_id ?? null}::uuid)
              order by created_at, organisation_id
              limit 1) as membership,
            (select count(*)::int from agent_sessions
              where user_id = ${claims.sub} and status in ('queued', 'processing')) as in_flight`.execute(),
        tx<SessionRow[]>`select * from agent_sessions where id = ${input.id}`.execute(),
      ])
      const found = existing[0]
      if (found) {
        if (found.user_id !== claims.sub) {
          throw new AppError('ALREADY_EXISTS', 'A session with this id already exists', {
            details: { session_id: input.id },
          })
        }
        return { created: false as const, session: found }
      }
      const { membership, in_flight: inFlight } = checks[0] as {
        membership: Membership | null
        in_flight: number
      }
      if (!membership) {
        throw input.organisation_id
          ? new AppError('NOT_FOUND', 'Organisation not found', {
              details: { organisation_id: input.organisation_id },
            })
          : new AppError('FORBIDDEN', 'You are not a member of any organisation')
      }
      options.authorize?.(membership)
      if (inFlight >= options.maxInFlight) {
        throw new AppError(
          'TOO_MANY_IN_FLIGHT',
          `You already have ${inFlight} requests queued or running (limit ${options.maxInFlight}); wait for one to finish or cancel one`,
          { details: { in_flight: inFlight, limit: options.maxInFlight } },
        )
      }
      const [inserted] = await Promise.all([
        tx<SessionRow[]>`
          insert into agent_sessions (id, organisation_id, user_id, agent_type, request, context, auto_apply, trace_id, status)
          values (${input.id}, ${membership.organisation_id}, ${claims.sub}, ${input.agent_type}, ${input.request},
                  ${tx.json(input.context as postgres.JSONValue)}, ${input.auto_apply}, ${input.trace_id}, 'queued')
          returning *`.execute(),
        // The event log is written by the pipeline, not by users.
        tx`select set_config('role', 'service_role', true)`.execute(),
      ])
      const session = inserted[0] as SessionRow
      const event = await options.enqueue(session)
      const row = eventLogRow(session.organisation_id, 0, event)
      await tx`insert into agent_logs ${tx(row)} on conflict (session_id, seq) do nothing`
      return { created: true as const, session, membership, event }
    })
  }

  /**
   * A session delegated by the orchestrator agent to a specialist: inserted by the service (users cannot
   * create child sessions directly) on behalf of the parent's user, in the parent's organisation.
   */
  async submitChild(
    parent: SessionRow,
    input: Omit<NewSession, 'organisation_id' | 'parent_session_id'>,
    enqueue: (session: SessionRow) => Promise<SessionEventEnvelope>,
  ): Promise<
    | { created: true; session: SessionRow; event: SessionEventEnvelope }
    | { created: false; session: SessionRow }
  > {
    return this.db.asService(async (tx) => {
      const existing = await tx
        .selectFrom('agent_sessions')
        .selectAll()
        .where('id', '=', input.id)
        .executeTakeFirst()
      if (existing) return { created: false as const, session: existing }
      const session = await tx
        .insertInto('agent_sessions')
        .values({
          ...input,
          context: toJsonb(input.context),
          organisation_id: parent.organisation_id,
          user_id: parent.user_id,
          parent_session_id: parent.id,
          status: 'queued',
        })
        .returningAll()
        .executeTakeFirstOrThrow()
      const event = await enqueue(session)
      await tx
        .insertInto('agent_logs')
        .values(eventLogRow(session.organisation_id, 0, event))
        .onConflict((oc) => oc.columns(['session_id', 'seq']).doNothing())
        .execute()
      return { created: true as const, session, event }
    })
  }

  /** A session the user may see (their organisation's), or NOT_FOUND, never FORBIDDEN: ids do not leak. */
  async get(claims: JwtClaims, sessionId: string): Promise<SessionRow> {
    const row = await this.db.asUser(claims, (tx) =>
      tx.selectFrom('agent_sessions').selectAll().where('id', '=', sessionId).executeTakeFirst(),
    )
    if (!row) throw new AppError('NOT_FOUND', 'Session not found', { details: { session_id: sessionId } })
    return row
  }

  /** Newest first, keyset-paged. Returns one row more than the page size when a next page exists. */
  async list(claims: JwtClaims, filter: SessionListFilter): Promise<SessionRow[]> {
    return this.db.asUser(claims, (tx) =>
      tx
        .selectFrom('agent_sessions')
        .selectAll()
        .where('organisation_id', '=', filter.organisationId)
        .$if(Boolean(filter.userId), (q) => q.where('user_id', '=', filter.userId as string))
        .$if(Boolean(filter.status), (q) => q.where('status', '=', filter.status as SessionStatusName))
        .$if(Boolean(filter.agentType), (q) => q.where('agent_type', '=', filter.agentType as AgentTypeName))
        .$if(!filter.includeChildren, (q) => q.where('parent_session_id', 'is', null))
        .$if(Boolean(filter.after), (q) => {
          const after = filter.after as { createdAt: Date; id: string }
          // The cursor row's own created_at: a JavaScript Date drops the microseconds, and comparing with it
          // would skip or repeat rows created within the same millisecond.
          return q.where(
            sql<boolean>`(created_at, id) < (coalesce((select c.created_at from public.agent_sessions c where c.id = ${after.id}), ${after.createdAt}), ${after.id}::uuid)`,
          )
        })
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(filter.pageSize + 1)
        .execute(),
    )
  }

  /** FIFO position among every organisation's queued sessions of the type (the queue is shared). */
  async queuePosition(
    session: Pick<SessionRow, 'id' | 'agent_type' | 'status' | 'queued_at'>,
  ): Promise<QueuePosition> {
    return this.db.asService(async (tx) => {
      const row = await tx
        .selectFrom('agent_sessions')
        .select((eb) => [
          eb.fn.countAll<string>().as('depth'),
          eb.fn
            .count<string>('id')
            // The session's stored queued_at, not the row passed in: its Date has lost the microseconds.
            .filterWhere(
              sql<boolean>`(queued_at, id) <= ((select q.queued_at from public.agent_sessions q where q.id = ${session.id}), ${session.id}::uuid)`,
            )
            .as('position'),
        ])
        .where('agent_type', '=', session.agent_type)
        .where('status', '=', 'queued')
        .executeTakeFirstOrThrow()
      const stillQueued = await tx
        .selectFrom('agent_sessions')
        .select('status')
        .where('id', '=', session.id)
        .executeTakeFirst()
      return {
        position: stillQueued?.status === 'queued' ? Number(row.position) : 0,
        depth: Number(row.depth),
      }
    })
  }

  /**
   * Cancels a session the user may see: the submitter, or a manager and above of its organisation. A queued
   * session is cancelled at once (and never processed); a running one gets a cancel request that its
   * worker honours.
   */
  async cancel(claims: JwtClaims, sessionId: string, reason: string): Promise<CancelOutcome> {
    const session = await this.get(claims, sessionId)
    if (session.user_id !== claims.sub) {
      const membership = await this.membership(claims, session.organisation_id)
      if (!SessionStore.hasRole(membership, 'manager')) {
        throw new AppError('FORBIDDEN', 'Only the requester or a manager can cancel this session')
      }
    }
    return this.db.asService(async (tx) => {
      const cancelled = await tx
        .updateTable('agent_sessions')
        .set({
          status: 'cancelled',
          completed_at: sql<Date>`now()`,
          cancel_requested_at: sql<Date>`now()`,
          cancel_reason: reason,
          error: toJsonb({ code: 'CANCELLED', message: reason }),
        })
        .where('id', '=', sessionId)
        .where('status', '=', 'queued')
        .returningAll()
        .executeTakeFirst()
      if (cancelled) return { kind: 'cancelled', session: cancelled } as const
      const requested = await tx
        .updateTable('agent_sessions')
        .set({ cancel_requested_at: sql<Date>`coalesce(cancel_requested_at, now())`, cancel_reason: reason })
        .where('id', '=', sessionId)
        .where('status', '=', 'processing')
        .returningAll()
        .executeTakeFirst()
      if (requested) return { kind: 'requested', session: requested } as const
      throw new AppError('INVALID_STATE', `The session is already ${session.status}`, {
        details: { session_id: sessionId, status: session.status },
      })
    })
  }

  // ---- worker side (service role) ----

  /** Claims the session for a new attempt: queued or (after a crash) processing -> processing. */
  async startAttempt(sessionId: string): Promise<StartAttempt> {
    return this.db.asService(async (tx) => {
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
      const started = await claim()
      if (started) return { kind: 'started', session: started, attempt: started.attempts }
      const current = await tx
        .selectFrom('agent_sessions')
        .selectAll()
        .where('id', '=', sessionId)
        .executeTakeFirst()
      if (current && (current.status === 'queued' || current.status === 'processing')) {
        // The submit committed between the claim and this read (each statement sees the latest commits):
        // the session is unclaimed, not finished.
        const late = await claim()
        if (late) return { kind: 'started', session: late, attempt: late.attempts }
      }
      return current ? { kind: 'finished', session: current } : { kind: 'missing' }
    })
  }

  /** The cancel request recorded for a running session, if any (workers poll it between heartbeats). */
  async cancelRequest(sessionId: string): Promise<{ reason: string } | undefined> {
    const row = await this.db.asService((tx) =>
      tx
        .selectFrom('agent_sessions')
        .select(['cancel_requested_at', 'cancel_reason', 'status'])
        .where('id', '=', sessionId)
        .executeTakeFirst(),
    )
    if (!row) return undefined
    if (row.cancel_requested_at || row.status === 'cancelled')
      return { reason: row.cancel_reason ?? 'Cancelled' }
    return undefined
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
      error: toJsonb({ code: 'CANCELLED', message: reason }),
      ...(processingTimeMs === undefined ? {} : { processing_time_ms: processingTimeMs }),
    })
  }

  async #finish(
    sessionId: string,
    attempt: number | null,
    values: Record<string, unknown> & { status: 'completed' | 'failed' | 'cancelled' },
  ): Promise<boolean> {
    const row = await this.db.asService((tx) =>
      tx
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
        .executeTakeFirst(),
    )
    return row !== undefined
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
            code: 'DEAD_LETTERED',
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

  /** Persists events (idempotent on (session_id, seq): a replayed batch inserts nothing twice). */
  async appendEvents(
    organisationId: string,
    attempt: number,
    events: readonly SessionEventEnvelope[],
  ): Promise<void> {
    if (events.length === 0) return
    await this.db.asService((tx) =>
      tx
        .insertInto('agent_logs')
        .values(events.map((e) => eventLogRow(organisationId, attempt, e)))
        .onConflict((oc) => oc.columns(['session_id', 'seq']).doNothing())
        .execute(),
    )
  }

  /** Persisted events after `afterSeq`, in order (the replay source once JetStream has aged them out). */
  async eventsAfter(
    claims: JwtClaims | null,
    sessionId: string,
    afterSeq: number,
    limit = 1_000,
  ): Promise<SessionEventEnvelope[]> {
    const query = (tx: Tx) =>
      tx
        .selectFrom('agent_logs')
        .select('data')
        .where('session_id', '=', sessionId)
        .where('seq', '>', afterSeq)
        .orderBy('seq')
        .limit(limit)
        .execute()
    const rows = claims ? await this.db.asUser(claims, query) : await this.db.asService(query)
    return rows.map((r) => r.data as unknown as SessionEventEnvelope)
  }

  async lastPersistedSeq(sessionId: string): Promise<number> {
    const row = await this.db.asService((tx) =>
      tx
        .selectFrom('agent_logs')
        .select((eb) => eb.fn.max('seq').as('seq'))
        .where('session_id', '=', sessionId)
        .executeTakeFirst(),
    )
    return Number(row?.seq ?? 0)
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
    return this.db.asService(async (tx) => {
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
