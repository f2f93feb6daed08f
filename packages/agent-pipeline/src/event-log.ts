import type { Database, DB, JwtClaims } from '@psa/db'
import type { Insertable } from 'kysely'
import type postgres from 'postgres'
import { describeEvent, type SessionEventEnvelope } from './events.js'
import { toJsonb } from './jsonb.js'

/** How an event is stored in `agent_logs`: searchable columns plus the whole envelope in `data`. */
export function eventLogRow(
  organisationId: string,
  attempt: number,
  event: SessionEventEnvelope,
): Insertable<DB['agent_logs']> {
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

/**
 * The insert of `eventLogRow`s (idempotent on (session_id, seq)), as one statement on a reserved connection.
 * The rows go as one jsonb parameter: one statement text for every batch size, prepared once per
 * connection (a VALUES list per size is a new statement, and postgres.js spends a round trip describing
 * each new one before it runs). Shared by the worker's batches and the admission batch.
 */
export function insertEventLogRows(tx: postgres.ReservedSql, rows: readonly Insertable<DB['agent_logs']>[]) {
  return tx`
    insert into public.agent_logs (organisation_id, session_id, seq, attempt, event_type, agent_name, message, data, created_at)
    select r.organisation_id, r.session_id, r.seq, r.attempt, r.event_type, r.agent_name, r.message, r.data, r.created_at
      from jsonb_to_recordset(${tx.json(rows as unknown as postgres.JSONValue)}) as r(
             organisation_id uuid, session_id uuid, seq integer, attempt integer, event_type text,
             agent_name text, message text, data jsonb, created_at timestamptz)
    on conflict (session_id, seq) do nothing`
}

/**
 * The sessions' event log in Postgres (`agent_logs`): what outlives JetStream's retention, so a client can
 * replay a session from its first event and a restarted attempt knows where the sequence stands.
 */
export class EventLog {
  constructor(readonly db: Database) {}

  /** Persists events (idempotent on (session_id, seq): a replayed batch inserts nothing twice). */
  async append(
    organisationId: string,
    attempt: number,
    events: readonly SessionEventEnvelope[],
  ): Promise<void> {
    if (events.length === 0) return
    const rows = events.map((e) => eventLogRow(organisationId, attempt, e))
    // One round trip: BEGIN, the prelude, the insert and COMMIT in one write.
    await this.db.pipeline(null, (tx) => [insertEventLogRows(tx, rows)])
  }

  /** Persisted events after `afterSeq`, in order, as the user (RLS) or the service (null claims). */
  async after(
    claims: JwtClaims | null,
    sessionId: string,
    afterSeq: number,
    limit = 1_000,
  ): Promise<SessionEventEnvelope[]> {
    const query = this.db.kysely
      .selectFrom('agent_logs')
      .select('data')
      .where('session_id', '=', sessionId)
      .where('seq', '>', afterSeq)
      .orderBy('seq')
      .limit(limit)
      .compile()
    const rows = await this.db.runQuery(claims, query)
    return rows.map((r) => r.data as unknown as SessionEventEnvelope)
  }

  /** The highest sequence persisted for the session (0 when none). */
  async lastSeq(sessionId: string): Promise<number> {
    const [row] = await this.db.runQuery(
      null,
      this.db.kysely
        .selectFrom('agent_logs')
        .select((eb) => eb.fn.max('seq').as('seq'))
        .where('session_id', '=', sessionId)
        .compile(),
    )
    return Number(row?.seq ?? 0)
  }
}
