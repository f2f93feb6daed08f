import type { Logger } from '@psa/config'
import { CompiledQuery, Kysely, type Transaction } from 'kysely'
import { PostgresJSDialect } from 'kysely-postgres-js'
import postgres from 'postgres'
import { abandonReserved, guardKyselyConnection, plainTcpUrl, wholeFailureSocket } from './connection-loss.js'
import type { DatabaseEnv } from './env.js'
import { mapDatabaseError } from './errors.js'
import type { DB } from './gen/database.js'
import {
  compiledStatement,
  type PipelineResults,
  type PipelineStatements,
  pipelinedTransaction,
  runPipeline,
} from './pipeline.js'
import { Reservations } from './watched-reserve.js'

export type { DB } from './gen/database.js'
export type Tx = Transaction<DB>

/** The JWT claims Postgres sees in `request.jwt.claims`; `auth.uid()` reads `sub`, `auth.role()` reads `role`. */
export interface JwtClaims {
  sub: string
  role: string
  email?: string
  aud?: string | string[]
  [claim: string]: unknown
}

/**
 * What every transaction runs first, in one statement (the admission hot path counts round trips): who it
 * runs for, no JIT, and its timeouts (milliseconds), all transaction-local (`set_config(..., true)`).
 */
const PRELUDE = `select set_config('role', $1, true), set_config('request.jwt.claims', $2, true),
  set_config('jit', 'off', true), set_config('statement_timeout', $3, true),
  set_config('idle_in_transaction_session_timeout', $4, true)`

export interface DatabaseOptions {
  env: DatabaseEnv
  /** `application_name`, shown in pg_stat_activity. */
  applicationName: string
  logger: Logger
}

/**
 * One pool per process. Every query runs in a transaction that first declares who it runs for:
 * `asUser` switches to the `authenticated` role with the user's claims, exactly what PostgREST does, so the
 * same RLS policies that protect the public API protect us; `asService` switches to `service_role` for work
 * no user owns (agent workers writing logs). Both use only transaction-scoped settings (`set_config(...,
 * true)`), so nothing leaks across a pooled connection, which keeps Supabase's transaction pooler safe.
 * They also turn JIT compilation off: our statements are short, and a generous cost estimate (the load
 * query's generate_series) made Postgres spend ~90 ms compiling a 45 ms query (the dashboard's LCP).
 * And they bound the transaction: `statement_timeout` and `idle_in_transaction_session_timeout` are set
 * per transaction too, because a transaction pooler drops startup parameters (PgBouncer refuses them
 * unless told to ignore them), so the pool's own `statement_timeout` holds on direct connections only.
 * A COMMIT that Postgres answers with ROLLBACK (a failed statement whose error the callback swallowed)
 * fails the transaction (watched-reserve.ts).
 */
export class Database {
  readonly sql: postgres.Sql
  readonly kysely: Kysely<DB>
  readonly #logger: Logger
  readonly #timeouts: readonly [statement: string, idleInTransaction: string]
  readonly #dialect: PostgresJSDialect

  constructor(options: DatabaseOptions) {
    const { env, logger } = options
    this.#logger = logger.child({ component: 'db' })
    const reservations = new Reservations()
    const pool = postgres(env.DATABASE_URL, {
      max: env.DATABASE_POOL_MAX,
      prepare: env.DATABASE_PREPARED_STATEMENTS,
      connect_timeout: env.DATABASE_CONNECT_TIMEOUT_S,
      idle_timeout: 60,
      // Reconnect within a second once Postgres is back (postgres.js backs off up to 20 s by default, so
      // after a restart a service could go on failing for that long).
      backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 1),
      ...(plainTcpUrl(env.DATABASE_URL) ? { socket: wholeFailureSocket } : {}),
      max_lifetime: 30 * 60,
      connection: {
        application_name: options.applicationName,
        statement_timeout: env.DATABASE_STATEMENT_TIMEOUT_MS,
      },
      onclose: reservations.onclose,
      onnotice: (notice) => this.#logger.debug({ notice: notice.message }, 'postgres notice'),
      // bigint and numeric already arrive as strings (money is bigint minor units and must never pass
      // through a float). Calendar dates stay 'YYYY-MM-DD' strings too: a Date at local midnight shifts a
      // day in the wrong time zone, and a plan's "starts 5 Jan" is a date, not an instant.
      types: {
        date: {
          to: 1082,
          from: [1082],
          serialize: (value: string) => value,
          parse: (value: string) => value,
        },
      },
    })
    // Every reserved connection is watched, the ones callers reserve through `sql` too (watched-reserve.ts).
    this.sql = reservations.wrap(pool)
    this.#timeouts = [
      String(env.DATABASE_STATEMENT_TIMEOUT_MS),
      String(env.DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS),
    ]
    this.#dialect = new PostgresJSDialect({
      postgres: this.sql,
      onReserveConnection: guardKyselyConnection,
    })
    this.kysely = new Kysely<DB>({ dialect: this.#dialect })
  }

  /**
   * One transaction in one round trip, as the user (`claims`, RLS enforced) or as the service (null):
   * BEGIN, the prelude, the statements `build` makes on the reserved connection (postgres.js queries;
   * `compiledStatement` for a Kysely query) and COMMIT are written together; resolves with each
   * statement's rows, in order. For statements that need no answer of another; any failure fails all.
   */
  pipeline<const Q extends PipelineStatements>(
    claims: JwtClaims | null,
    build: (tx: postgres.ReservedSql) => Q,
  ): Promise<PipelineResults<Q>> {
    const [role, settings] = this.#who(claims)
    return runPipeline(this.sql, (tx) => this.#prelude(tx, role, settings), build).catch((err: unknown) => {
      throw mapDatabaseError(err)
    })
  }

  /**
   * One Kysely query (`db.kysely....compile()`) in a transaction of its own, as the user or (null claims)
   * the service: `pipeline` with that one statement, so one round trip instead of the four (BEGIN, the
   * prelude, the query, COMMIT) `asUser`/`asService` take for it. Resolves with its rows.
   */
  async runQuery<R>(claims: JwtClaims | null, query: CompiledQuery<R>): Promise<R[]> {
    const [rows] = await this.pipeline(claims, (tx) => [compiledStatement(tx, query)])
    return rows as unknown as R[]
  }

  /**
   * `asUser` (or, with null claims, `asService`) without Kysely's per-statement lock: statements the
   * callback starts together share a round trip, and its first ones travel with BEGIN and the prelude
   * (two round trips for one read instead of four). Same semantics otherwise.
   */
  asPipelined<T>(claims: JwtClaims | null, fn: (tx: Tx) => Promise<T>): Promise<T> {
    const [role, settings] = this.#who(claims)
    return pipelinedTransaction(
      {
        sql: this.sql,
        kysely: this.kysely,
        dialect: this.#dialect,
        prelude: (tx) => this.#prelude(tx, role, settings),
      },
      fn,
    ).catch((err: unknown) => {
      throw mapDatabaseError(err)
    })
  }

  #who(claims: JwtClaims | null): [role: string, claims: Record<string, unknown>] {
    return claims
      ? ['authenticated', { ...claims, role: 'authenticated' }]
      : ['service_role', { role: 'service_role' }]
  }

  // Prepared like a tagged query (unless the pool's `prepare` is off): unprepared with parameters, each
  // run would first be described, a round trip of its own.
  #prelude(tx: postgres.ReservedSql, role: string, claims: Record<string, unknown>) {
    return tx.unsafe(PRELUDE, this.#preludeParameters(role, claims), { prepare: true })
  }

  /** Runs `fn` in a transaction as the user: role `authenticated`, their claims set, RLS enforced. */
  asUser<T>(claims: JwtClaims, fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.#transaction('authenticated', { ...claims, role: 'authenticated' }, fn)
  }

  /** Runs `fn` in a transaction as `service_role` (bypasses RLS): for work no user owns. */
  asService<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return this.#transaction('service_role', { role: 'service_role' }, fn)
  }

  /**
   * `asUser` on the raw postgres.js transaction, for hot paths that pipeline statements: queries started
   * with `.execute()` (or gathered with `Promise.all`) before awaiting share round trips, which Kysely's
   * one-query-at-a-time transactions cannot. The role/claims statement is sent first without waiting, so
   * the callback's first statements travel with it; if it failed, they fail too ("transaction aborted")
   * and the first error is what the caller sees.
   */
  asUserSql<T>(claims: JwtClaims, fn: (tx: postgres.ReservedSql) => Promise<T>): Promise<T> {
    return this.#sqlTransaction('authenticated', { ...claims, role: 'authenticated' }, fn)
  }

  /**
   * `asUserSql` as `service_role` (bypasses RLS): for hot paths that decide for several users at once
   * (admission's group commit). COMMIT is sent as soon as `fn` resolves: a statement `fn` sent but did not
   * await travels with it (one round trip for both), and COMMIT fails if that statement failed.
   */
  asServiceSql<T>(fn: (tx: postgres.ReservedSql) => Promise<T>): Promise<T> {
    return this.#sqlTransaction('service_role', { role: 'service_role' }, fn)
  }

  // On a reserved connection rather than `sql.begin`: BEGIN travels with the prelude and the callback's
  // first statements, and a lost connection is left to the pool (connection-loss.ts).
  async #sqlTransaction<T>(
    role: string,
    claims: Record<string, unknown>,
    fn: (tx: postgres.ReservedSql) => Promise<T>,
  ): Promise<T> {
    let tx: postgres.ReservedSql | undefined
    try {
      tx = await this.sql.reserve()
      const reserved = tx
      const begun = reserved`begin`.execute()
      const prelude = this.#prelude(reserved, role, claims).execute()
      const result = await fn(reserved).catch(async (err: unknown) => {
        // A failed BEGIN or prelude aborts the transaction and makes the callback fail; report the cause.
        await begun
        await prelude
        throw err
      })
      await begun
      await prelude
      await reserved`commit`
      reserved.release()
      return result
    } catch (err) {
      if (tx) await abandonReserved(tx, err)
      throw mapDatabaseError(err)
    }
  }

  async #transaction<T>(
    role: string,
    claims: Record<string, unknown>,
    fn: (tx: Tx) => Promise<T>,
  ): Promise<T> {
    try {
      return await this.kysely.transaction().execute(async (tx) => {
        await tx.executeQuery(CompiledQuery.raw(PRELUDE, this.#preludeParameters(role, claims)))
        return fn(tx)
      })
    } catch (err) {
      throw mapDatabaseError(err)
    }
  }

  #preludeParameters(role: string, claims: Record<string, unknown>): string[] {
    return [role, JSON.stringify(claims), ...this.#timeouts]
  }

  /** Readiness: a round trip to the server. */
  async ping(): Promise<void> {
    await this.sql`select 1`
  }

  /** Waits up to 2 s for running queries (work is drained before pools close), then closes every connection. */
  async close(): Promise<void> {
    // Kysely's destroy() ends the pool without a timeout, which never settles after a failed connection
    // attempt (postgres.js 3.4); ending it ourselves with a timeout first makes shutdown bounded.
    await this.sql.end({ timeout: 2 })
    await this.kysely.destroy()
  }
}
