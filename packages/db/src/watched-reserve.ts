import { AbortedTransactionError } from 'kysely'
import type postgres from 'postgres'

/*
 * Why this file exists: two ways a transaction on a reserved postgres.js connection went wrong silently.
 *
 * An aborted COMMIT. Postgres answers the COMMIT of a transaction in which a statement failed with the tag
 * ROLLBACK, not with an error: a callback that caught a failed statement's error and went on "committed"
 * while nothing was written. Kysely checks for that tag, but kysely-postgres-js 5.0.0 hands it COMMIT's
 * rows (none) without the command, so the check never fires; the raw transactions did not look either.
 * Here the first failed statement of a transaction is kept, and a COMMIT answered with ROLLBACK fails with
 * Kysely's AbortedTransactionError, that first failure as its cause (Kysely then does not roll back).
 *
 * A connection the server closed while it sat idle in the transaction (idle_in_transaction_session_timeout,
 * an administrator's pg_terminate_backend). postgres.js 3.4.9 gives a reserved connection no word of it:
 * the next query is written to the closed socket from a timer ("Cannot read properties of null (reading
 * 'write')", an uncaught exception) and never answered, or, once the pool reconnected the connection for
 * another caller, runs there, outside the transaction and as the pool's login role. Here the connection's
 * close marks the reservation lost and every later query on it fails with CONNECTION_CLOSED at once, which
 * connection-loss.ts then treats like any lost connection (no ROLLBACK, no release).
 *
 * Both hook postgres.js 3.4 query internals (its `resolve`/`reject`/`handler` and the `onexecute` option
 * that hands over the connection) rather than chaining promises: a query stays a lazy postgres.js query
 * (fragments are never sent; `.execute()`, `.cancel()` and the rest keep working) and nothing is sent that
 * the caller did not send.
 */

interface QueryInternals {
  resolve: (result: unknown) => void
  reject: (err: unknown) => void
  handler: ((query: QueryInternals) => void) & { debug?: unknown }
  options: { onexecute?: (connection: ConnectionInternals) => unknown }
}

interface ConnectionInternals {
  onclose?: ((err: unknown) => void) | null
}

/**
 * `sql.reserve()` with watched connections, and without the lost waiter: when any pool connection closes,
 * postgres.js 3.4.9 hands it to the oldest queued caller (`connect(c, queries.shift())`), and when that
 * caller is a `reserve()` the connection comes back open without it being told: it waits for ever (a
 * request hung behind a Postgres restart or an idle-in-transaction timeout while the pool was busy). So
 * on every close (`onclose`, a pool option) the oldest reservation still waiting asks again; if it was not
 * the one dropped, whichever answer comes second is released at once.
 */
export class Reservations {
  #sql: postgres.Sql | undefined
  /** Reservation attempts not answered yet, oldest first (the order postgres.js queues them in). */
  readonly #waiting: { retry: () => void }[] = []

  /** For postgres.js's `onclose` option. */
  readonly onclose = (): void => {
    // After postgres.js's own onclose has handed the connection on; asking from inside it would connect
    // the same connection twice.
    queueMicrotask(() => this.#waiting.shift()?.retry())
  }

  /** `sql` whose `reserve()` is this one: what Database exposes and Kysely's dialect runs on. */
  wrap(sql: postgres.Sql): postgres.Sql {
    this.#sql = sql
    return new Proxy(sql, {
      get: (target, property, receiver) =>
        property === 'reserve' ? this.reserve : Reflect.get(target, property, receiver),
    })
  }

  readonly reserve = (): Promise<postgres.ReservedSql> => {
    const sql = this.#sql
    if (!sql) throw new Error('Reservations.wrap was not called')
    return new Promise((resolve, reject) => {
      let settled = false
      const attempt = () => {
        const entry = { retry: attempt }
        this.#waiting.push(entry)
        const done = () => {
          const at = this.#waiting.indexOf(entry)
          if (at >= 0) this.#waiting.splice(at, 1)
        }
        sql.reserve().then(
          (reserved) => {
            done()
            if (settled) return reserved.release()
            settled = true
            resolve(watch(reserved))
          },
          (err: unknown) => {
            done()
            if (settled) return
            settled = true
            reject(err)
          },
        )
      }
      attempt()
    })
  }
}

function watch(reserved: postgres.ReservedSql): postgres.ReservedSql {
  let firstFailure: unknown
  let connection: ConnectionInternals | undefined
  let lost = false
  /**
   * Queries handed to postgres.js and not answered yet. On a close postgres.js fails only the ones it had
   * written; those it still held in the reservation's own queue (behind a statement described first, or a
   * full socket: a pipelined transaction) would never settle, and whoever waited for them (a pipeline
   * awaiting every statement) hung for ever. So the close fails every one still pending.
   */
  const pending = new Set<QueryInternals>()
  const onclose = () => {
    lost = true
    const err = connectionClosed()
    for (const query of [...pending]) query.reject(err)
  }
  const watchQuery = (query: unknown, text: unknown): unknown => {
    // Helpers such as `tx(row)` or `tx('name')` build fragments, not queries: nothing to watch.
    if (!(query instanceof Promise)) return query
    const q = query as unknown as Partial<QueryInternals>
    const { resolve, reject, handler, options } = q
    if (
      typeof resolve !== 'function' ||
      typeof reject !== 'function' ||
      typeof handler !== 'function' ||
      !options
    ) {
      throw new Error(
        'postgres.js changed: its queries have no resolve/reject/handler to watch transactions by',
      )
    }
    const statement = String(text).trim().toLowerCase()
    // A new transaction, or a savepoint rolled back to (which un-aborts it): earlier failures are over.
    if (statement === 'begin' || /^(start transaction|rollback to)\b/.test(statement))
      firstFailure = undefined
    const self = q as QueryInternals
    q.reject = (err: unknown) => {
      pending.delete(self)
      firstFailure ??= err
      reject(err)
    }
    q.resolve =
      statement === 'commit'
        ? (result: unknown) => {
            pending.delete(self)
            return (result as { command?: unknown } | null)?.command === 'ROLLBACK'
              ? reject(new AbortedTransactionError(firstFailure === undefined ? {} : { cause: firstFailure }))
              : resolve(result)
          }
        : (result: unknown) => {
            pending.delete(self)
            resolve(result)
          }
    const send = Object.assign(
      (query: QueryInternals) => {
        if (lost) return query.reject(connectionClosed())
        pending.add(query)
        return handler.call(undefined, query)
      },
      { debug: handler.debug },
    )
    q.handler = send
    const onexecute = options.onexecute
    options.onexecute = (c: ConnectionInternals) => {
      if (!connection) {
        connection = c
        c.onclose = onclose
      }
      return onexecute ? onexecute(c) : true
    }
    return query
  }
  const unsafe = ((...args: Parameters<postgres.ReservedSql['unsafe']>) =>
    watchQuery(reserved.unsafe(...args), args[0])) as postgres.ReservedSql['unsafe']
  const release = () => {
    if (connection?.onclose === onclose) connection.onclose = null
    // A closed connection is the pool's already; releasing it would put it back among the open ones.
    if (!lost) reserved.release()
  }
  return new Proxy(reserved, {
    apply: (target, self, args: unknown[]) => {
      const strings = args[0]
      const text = Array.isArray(strings) ? strings.join('$') : strings
      return watchQuery(Reflect.apply(target, self, args), text)
    },
    get: (target, property, receiver) =>
      property === 'unsafe'
        ? unsafe
        : property === 'release'
          ? release
          : Reflect.get(target, property, receiver),
  })
}

function connectionClosed(): Error {
  return Object.assign(new Error('The server closed the connection of this transaction'), {
    code: 'CONNECTION_CLOSED',
  })
}
