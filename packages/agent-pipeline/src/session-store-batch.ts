import type { Database, JwtClaims, Membership } from '@psa/db'
import { mapDatabaseError, noMembership } from '@psa/db'
import { AppError } from '@psa/errors'
import type postgres from 'postgres'
import { eventLogRow, insertEventLogRows } from './event-log.js'
import type { SessionEventEnvelope } from './events.js'
import type { NewSession, SessionRow } from './session-store.js'
import { assertMaySubmit } from './submit-rules.js'

/** One user's request to admit, as `SessionStore.submit` takes it. */
export interface SubmitItem {
  claims: JwtClaims
  input: Omit<NewSession, 'organisation_id' | 'parent_session_id'> & { organisation_id?: string }
  maxInFlight: number
  /** Throws to refuse (e.g. a viewer, or auto-apply below manager) before anything is written. */
  authorize?: (membership: Membership) => void
  /** Publishes the work and the admission event; the event (seq 1) is stored with the session. */
  enqueue: (session: SessionRow) => Promise<SessionEventEnvelope>
  /** Aborted once the caller stopped waiting (its deadline): an item not yet started is dropped. */
  signal?: AbortSignal
}

export type SubmitResult =
  | { created: true; session: SessionRow; membership: Membership; event: SessionEventEnvelope }
  | { created: false; session: SessionRow }

/** Each item's answer: what `SessionStore.submit` would have returned, or the error it would have thrown. */
export type SubmitOutcome =
  | { ok: true; value: SubmitResult }
  | { ok: false; error: unknown }
  /** Not decided here: the id is taken by a session this user may not see, which `submit` answers alone. */
  | { ok: 'alone' }

/**
 * Admits several users' requests in one transaction (group commit): one commit, and a handful of round
 * trips, for the whole batch instead of per request. Item by item it decides exactly as `SessionStore.submit`
 * does: an existing id answers with its session (or ALREADY_EXISTS for another user's), then membership
 * (what the user sees of their own under RLS), `assertMaySubmit`, `authorize` and the in-flight limit,
 * counted under the same per-user advisory locks (taken in one order, so batches never deadlock). Accepted
 * rows are inserted as the service, as `submit` does. The work items and admission events are published
 * before the commit, as in `submit`, and the events stored with the sessions.
 *
 * Throws when the transaction fails as a whole (any statement failing aborts it, e.g. a check constraint);
 * the caller then admits the items one by one, each deciding on its own.
 *
 * In `Database.asServiceSql`, the transaction every raw hot path shares: its prelude (role, no JIT, the
 * statement and idle-in-transaction timeouts, all transaction-local) travels with BEGIN and the first
 * statements, and COMMIT with the last (the event log's insert, sent and left running): three round trips
 * per batch.
 */
export async function submitBatch(db: Database, items: readonly SubmitItem[]): Promise<SubmitOutcome[]> {
  let logged: Promise<unknown> | undefined
  try {
    return await db.asServiceSql(async (tx) => {
      const { outcomes, logInsert } = await admitOnConnection(tx, items)
      logged = logInsert
      return outcomes
    })
  } catch (err) {
    // A failed log insert makes the COMMIT that followed it fail; its own error is the one to report.
    if (logged) await logged.catch((cause: unknown) => Promise.reject(mapDatabaseError(cause)))
    throw err
  }
}

async function admitOnConnection(
  tx: postgres.ReservedSql,
  items: readonly SubmitItem[],
): Promise<{ outcomes: SubmitOutcome[]; logInsert?: Promise<unknown> }> {
  const ids = items.map((item) => item.input.id)
  const users = items.map((item) => item.claims.sub)
  const organisations = items.map((item) => item.input.organisation_id ?? null)
  const [, checks, existing, visible] = await Promise.all([
    // Sorted, so two batches wanting the same users take their locks in the same order.
    tx`select pg_advisory_xact_lock(hashtextextended('agent-submit:' || u, 0))
           from (select distinct u from unnest(${users}::text[]) u order by u) locks`.execute(),
    tx<{ membership: Membership | null; in_flight: number }[]>`
        -- Counted once per user of the batch (one user's concurrent submits share a count; materialized, so
        -- the count is not pulled up into every row): what the user counts as their own under RLS, sessions
        -- of organisations they belong to.
        with counts as materialized (
          select u.user_id,
                 (select count(*)::int from public.agent_sessions s
                   where s.user_id = u.user_id and s.status in ('queued', 'processing')
                     and s.organisation_id in (select m.organisation_id from public.memberships m where m.user_id = u.user_id)
                 ) as in_flight
            from (select distinct x.user_id from unnest(${users}::uuid[]) as x(user_id)) u
        )
        select
          (select json_build_object('organisationId', m.organisation_id, 'role', m.role)
             from public.memberships m
            where m.user_id = r.user_id and (r.organisation_id is null or m.organisation_id = r.organisation_id)
            order by m.created_at, m.organisation_id
            limit 1) as membership,
          c.in_flight
        from unnest(${users}::uuid[], ${organisations}::uuid[]) with ordinality as r(user_id, organisation_id, n)
        join counts c on c.user_id = r.user_id
        order by r.n`.execute(),
    tx<SessionRow[]>`select * from public.agent_sessions where id = any(${ids}::uuid[])`.execute(),
    // Which of those the submitting user sees under RLS (a member of the session's organisation).
    tx<{ n: string }[]>`
      select r.n from unnest(${ids}::uuid[], ${users}::uuid[]) with ordinality as r(id, user_id, n)
      join public.agent_sessions s on s.id = r.id
      join public.memberships m on m.organisation_id = s.organisation_id and m.user_id = r.user_id`.execute(),
  ])
  const found = new Map(existing.map((row) => [row.id, row]))
  const seen = new Set(visible.map((row) => Number(row.n) - 1))
  const admittedPerUser = new Map<string, number>()
  const outcomes: (SubmitOutcome | { accept: Membership })[] = items.map((item, i) => {
    try {
      const earlier = found.get(item.input.id)
      if (earlier) {
        if (!seen.has(i)) return { ok: 'alone' }
        if (earlier.user_id !== item.claims.sub) {
          throw new AppError('ALREADY_EXISTS', 'A session with this id already exists', {
            details: { session_id: item.input.id },
          })
        }
        return { ok: true, value: { created: false, session: earlier } }
      }
      const { membership, in_flight } = checks[i] as { membership: Membership | null; in_flight: number }
      if (!membership) throw noMembership(item.input.organisation_id)
      assertMaySubmit(membership, item.input.auto_apply)
      item.authorize?.(membership)
      const inFlight = in_flight + (admittedPerUser.get(item.claims.sub) ?? 0)
      if (inFlight >= item.maxInFlight) {
        throw new AppError(
          'TOO_MANY_IN_FLIGHT',
          `You already have ${inFlight} requests queued or running (limit ${item.maxInFlight}); wait for one to finish or cancel one`,
          { details: { in_flight: inFlight, limit: item.maxInFlight } },
        )
      }
      admittedPerUser.set(item.claims.sub, (admittedPerUser.get(item.claims.sub) ?? 0) + 1)
      return { accept: membership }
    } catch (error) {
      return { ok: false, error }
    }
  })
  // Inserted grouped by agent type: each queue's counter row is locked at commit in the order of the
  // inserts, so batches lock them in one order and never deadlock.
  const accepted = outcomes
    .flatMap((o, i) => ('accept' in o ? [i] : []))
    .sort((a, b) => {
      const [ta, tb] = [(items[a] as SubmitItem).input.agent_type, (items[b] as SubmitItem).input.agent_type]
      return ta === tb ? a - b : ta < tb ? -1 : 1
    })
  if (accepted.length === 0) return { outcomes: outcomes as SubmitOutcome[] }

  // As the service, like `submit`: the checks above are the admission (signed-in users cannot insert
  // sessions, migration 20261202000100). One statement for the whole batch, its rows in the order above;
  // queued_at is the clock, not the transaction's start, so a batch keeps its order in the queue.
  const rows = accepted.map((i) => {
    const { claims, input } = items[i] as SubmitItem
    return {
      id: input.id,
      organisation_id: (outcomes[i] as { accept: Membership }).accept.organisationId,
      user_id: claims.sub,
      agent_type: input.agent_type,
      request: input.request,
      context: input.context,
      auto_apply: input.auto_apply,
      trace_id: input.trace_id,
    }
  })
  const insertedRows = await tx<SessionRow[]>`
    insert into public.agent_sessions (id, organisation_id, user_id, agent_type, request, context, auto_apply, trace_id, status, queued_at)
    select r.id, r.organisation_id, r.user_id, r.agent_type, r.request, r.context, r.auto_apply, r.trace_id, 'queued', clock_timestamp()
      from rows from (jsonb_to_recordset(${tx.json(rows as postgres.JSONValue)}) as (
             id uuid, organisation_id uuid, user_id uuid, agent_type public.agent_type, request text,
             context jsonb, auto_apply boolean, trace_id text)) with ordinality
           as r(id, organisation_id, user_id, agent_type, request, context, auto_apply, trace_id, n)
     order by r.n
    returning *`.execute()
  // By id rather than position (Postgres answers uuids in lower case, whatever case the client sent).
  const byId = new Map(insertedRows.map((row) => [row.id.toLowerCase(), row]))
  const inserted = rows.map((row) => [byId.get(row.id.toLowerCase()) as SessionRow])
  const events = await Promise.all(
    inserted.map((rows, k) => (items[accepted[k] as number] as SubmitItem).enqueue(rows[0] as SessionRow)),
  )
  const logRows = inserted.map((rows, k) =>
    eventLogRow((rows[0] as SessionRow).organisation_id, 0, events[k] as SessionEventEnvelope),
  )
  // The rows go as one jsonb parameter (insertEventLogRows). Not awaited: the COMMIT that `asServiceSql`
  // sends next travels with it, and fails if it failed (watched-reserve.ts).
  const logInsert = insertEventLogRows(tx, logRows).execute()
  // Awaited by submitBatch only when the transaction failed; never an unhandled rejection meanwhile.
  logInsert.catch(() => {})
  for (const [k, i] of accepted.entries()) {
    outcomes[i] = {
      ok: true,
      value: {
        created: true,
        session: (inserted[k] as SessionRow[])[0] as SessionRow,
        membership: (outcomes[i] as { accept: Membership }).accept,
        event: events[k] as SessionEventEnvelope,
      },
    }
  }
  return { outcomes: outcomes as SubmitOutcome[], logInsert }
}
