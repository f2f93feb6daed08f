import { AbortedTransactionError } from 'kysely'
import type postgres from 'postgres'

/*
 * Why this file exists: Postgres answers the COMMIT of a transaction in which a statement failed with the
 * tag ROLLBACK, not with an error. A callback that caught a failed statement's error and went on would
 * "commit" without a word while nothing was written. Kysely checks for that tag, but kysely-postgres-js
 * 5.0.0 hands it COMMIT's rows (none) without the command, so the check never fires; our raw postgres.js
 * transactions did not look either. Every reserved connection is watched here instead: the first failed
 * statement of its transaction is kept, and a COMMIT answered with ROLLBACK fails with Kysely's
 * AbortedTransactionError, that first failure as its cause (Kysely then neither rolls back nor retries).
 *
 * It hooks the `resolve`/`reject` a postgres.js 3.4 query is settled through rather than chaining a promise
 * onto it: a query stays a lazy postgres.js query (fragments are never sent, `.execute()`, `.cancel()` and
 * the rest keep working), and nothing is sent that the caller did not send.
 */

interface SettledQuery {
  resolve: (result: unknown) => void
  reject: (err: unknown) => void
}

/** `sql.reserve`, whose connections are watched for failed statements and aborted commits. */
export function watchedReserve(sql: postgres.Sql): () => Promise<postgres.ReservedSql> {
  return async () => watchTransactions(await sql.reserve())
}

/** `sql` whose `reserve()` gives watched connections: what Kysely's dialect runs its transactions on. */
export function withWatchedReserve(sql: postgres.Sql): postgres.Sql {
  const reserve = watchedReserve(sql)
  return new Proxy(sql, {
    get: (target, property, receiver) =>
      property === 'reserve' ? reserve : Reflect.get(target, property, receiver),
  })
}

function watchTransactions(reserved: postgres.ReservedSql): postgres.ReservedSql {
  let firstFailure: unknown
  const watch = (query: unknown, text: unknown): unknown => {
    // Helpers such as `tx(row)` or `tx('name')` build fragments, not queries: nothing to watch.
    if (!(query instanceof Promise)) return query
    const settled = query as unknown as Partial<SettledQuery>
    const { resolve, reject } = settled
    if (typeof resolve !== 'function' || typeof reject !== 'function') {
      throw new Error('postgres.js changed: its queries have no resolve/reject to watch aborted commits by')
    }
    const statement = String(text).trim().toLowerCase()
    // A new transaction, or a savepoint rolled back to (which un-aborts it): earlier failures are over.
    if (statement === 'begin' || /^(start transaction|rollback to)\b/.test(statement))
      firstFailure = undefined
    settled.reject = (err: unknown) => {
      firstFailure ??= err
      reject(err)
    }
    if (statement === 'commit') {
      settled.resolve = (result: unknown) =>
        (result as { command?: unknown } | null)?.command === 'ROLLBACK'
          ? reject(new AbortedTransactionError(firstFailure === undefined ? {} : { cause: firstFailure }))
          : resolve(result)
    }
    return query
  }
  const unsafe = ((...args: Parameters<postgres.ReservedSql['unsafe']>) =>
    watch(reserved.unsafe(...args), args[0])) as postgres.ReservedSql['unsafe']
  return new Proxy(reserved, {
    apply: (target, self, args: unknown[]) => {
      const strings = args[0]
      const text = Array.isArray(strings) ? strings.join('$') : strings
      return watch(Reflect.apply(target, self, args), text)
    },
    get: (target, property, receiver) =>
      property === 'unsafe' ? unsafe : Reflect.get(target, property, receiver),
  })
}
