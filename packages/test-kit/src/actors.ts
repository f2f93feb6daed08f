import type postgres from 'postgres'

/** Who a query runs as, the way PostgREST (and @psa/db) runs it. */
export type Actor =
  | { kind: 'anon' }
  | { kind: 'service_role' }
  | { kind: 'user'; userId: string; email?: string; isAnonymous?: boolean }

/** The claims a Supabase access token would carry for the actor; what `request.jwt.claims` holds. */
export function claimsFor(actor: Actor): Record<string, unknown> {
  switch (actor.kind) {
    case 'anon':
      return { role: 'anon', iss: 'supabase' }
    case 'service_role':
      return { role: 'service_role', iss: 'supabase' }
    case 'user':
      return {
        sub: actor.userId,
        role: 'authenticated',
        aud: 'authenticated',
        email: actor.email ?? '',
        is_anonymous: actor.isAnonymous ?? false,
        app_metadata: { provider: 'email', providers: ['email'] },
        user_metadata: {},
      }
  }
}

function roleOf(actor: Actor): 'anon' | 'authenticated' | 'service_role' {
  return actor.kind === 'user' ? 'authenticated' : actor.kind
}

/**
 * Inside an open transaction, becomes the actor exactly as PostgREST does: `set local role` to the API role
 * and the JWT claims into `request.jwt.claims`, both undone when the transaction ends.
 */
export async function becomeActor(tx: postgres.TransactionSql, actor: Actor): Promise<void> {
  // The role name comes from a closed set, never from input, so it can be spliced into SET.
  await tx.unsafe(`set local role ${roleOf(actor)}`)
  await tx`select set_config('request.jwt.claims', ${JSON.stringify(claimsFor(actor))}, true)`
}

class Rollback<T> extends Error {
  constructor(readonly value: T) {
    super('rollback')
  }
}

/**
 * Runs fn in a transaction as the actor and rolls it back afterwards (tests leave no trace), returning fn's
 * result. `prepare` runs first as the connecting (superuser) role, e.g. to stage rows.
 */
export async function asActor<T>(
  sql: postgres.Sql,
  actor: Actor,
  fn: (tx: postgres.TransactionSql) => Promise<T>,
  prepare?: (tx: postgres.TransactionSql) => Promise<void>,
): Promise<T> {
  try {
    await sql.begin(async (tx) => {
      if (prepare) await prepare(tx)
      await becomeActor(tx, actor)
      throw new Rollback(await fn(tx))
    })
  } catch (err) {
    if (err instanceof Rollback) return err.value as T
    throw err
  }
  throw new Error('unreachable: the transaction always rolls back')
}

/** The outcome of a statement that may be refused: affected row count, or the Postgres error code. */
export type Outcome = { ok: true; count: number } | { ok: false; code: string; message: string }

/** Runs a statement in a savepoint, so a refusal does not abort the surrounding transaction. */
export async function attempt(
  tx: postgres.TransactionSql,
  statement: (sp: postgres.TransactionSql) => Promise<{ count: number }>,
): Promise<Outcome> {
  try {
    const result = await tx.savepoint((sp) => statement(sp))
    return { ok: true, count: result.count }
  } catch (err) {
    const e = err as { code?: string; message?: string }
    if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) {
      return { ok: false, code: e.code, message: e.message ?? '' }
    }
    throw err
  }
}
