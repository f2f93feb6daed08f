import type { DB } from '@psa/db'
import {
  type Database,
  hasRole,
  type JwtClaims,
  type Membership,
  membershipSubquery,
  noMembership,
  resolveMembership,
  sql,
} from '@psa/db'
import { AppError, SESSION_ERROR_CODES } from '@psa/errors'
import type { AgentTypeName, SessionStatusName } from '@psa/proto'
import type { Selectable } from 'kysely'
import type postgres from 'postgres'
import { AttemptStore } from './attempt-store.js'
import { EventLog, eventLogRow } from './event-log.js'
import type { SessionEventEnvelope } from './events.js'
import { toJsonb } from './jsonb.js'
import { assertMaySubmit } from './submit-rules.js'

export type SessionRow = Selectable<DB['agent_sessions']>

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

export type CancelOutcome =
  | { kind: 'cancelled'; session: SessionRow }
  | { kind: 'requested'; session: SessionRow }

/**
 * Agent sessions as users and the orchestrator see them: admission, reads and cancellation, shared by the
 * orchestrator and the workers so the rules live in one place. User-facing reads go through RLS (`asUser`);
 * transitions are compare-and-set on the status. The worker's side of a session is `attempts`, its
 * persisted events `events`.
 */
export class SessionStore {
  readonly attempts: AttemptStore
  readonly events: EventLog

  constructor(readonly db: Database) {
    this.attempts = new AttemptStore(db)
    this.events = new EventLog(db)
  }

  /** The caller's membership in `organisationId`, or in their only/first organisation when none is named. */
  membership(claims: JwtClaims, organisationId?: string): Promise<Membership> {
    return this.db.asUser(claims, (tx) => resolveMembership(tx, claims.sub, organisationId))
  }

  /**
   * Admits a request: resolves the membership as the user (RLS), refuses viewers and auto-apply below
   * manager (`assertMaySubmit`, and `authorize`), inserts the queued session as the service, runs `enqueue` (publish the work and the admission event) and stores that event, before
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
            ${membershipSubquery(tx, claims.sub, input.organisation_id)} as membership,
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
      if (!membership) throw noMembership(input.organisation_id)
      assertMaySubmit(membership, input.auto_apply)
      options.authorize?.(membership)
      if (inFlight >= options.maxInFlight) {
        throw new AppError(
          'TOO_MANY_IN_FLIGHT',
          `You already have ${inFlight} requests queued or running (limit ${options.maxInFlight}); wait for one to finish or cancel one`,
          { details: { in_flight: inFlight, limit: options.maxInFlight } },
        )
      }
      const [, inserted] = await Promise.all([
        // Sessions and their event log are written by the pipeline, not by users: the checks above are the
        // admission (signed-in users cannot insert sessions through the API, migration 20261202000100).
        tx`select set_config('role', 'service_role', true)`.execute(),
        tx<SessionRow[]>`
          insert into agent_sessions (id, organisation_id, user_id, agent_type, request, context, auto_apply, trace_id, status)
          values (${input.id}, ${membership.organisationId}, ${claims.sub}, ${input.agent_type}, ${input.request},
                  ${tx.json(input.context as postgres.JSONValue)}, ${input.auto_apply}, ${input.trace_id}, 'queued')
          returning *`.execute(),
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
    const [row] = await this.db.runQuery(
      claims,
      this.db.kysely.selectFrom('agent_sessions').selectAll().where('id', '=', sessionId).compile(),
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

  /**
   * FIFO position among every organisation's queued sessions of the type (the queue is shared), from the
   * queue's tickets and counters (see the queue_tickets migration): an index lookup, not a count of the
   * queue.
   */
  async queuePosition(session: Pick<SessionRow, 'id' | 'agent_type'>): Promise<QueuePosition> {
    const { rows } = await this.db.asService((tx) =>
      sql<{ place: string; depth: number }>`
        select place, depth from private.queue_place(${session.id}, ${session.agent_type})`.execute(tx),
    )
    return { position: Number(rows[0]?.place ?? 0), depth: rows[0]?.depth ?? 0 }
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
      if (!hasRole(membership.role, 'manager')) {
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
          error: toJsonb({ code: SESSION_ERROR_CODES.CANCELLED, message: reason }),
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
}
