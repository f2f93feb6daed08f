import {
  type CompiledQuery,
  type ConnectionProvider,
  type DatabaseConnection,
  type Dialect,
  DummyDriver,
  type Kysely,
  type QueryResult,
  Transaction,
} from 'kysely'
import type postgres from 'postgres'
import { abandonReserved } from './connection-loss.js'

/*
 * Why this file exists: the agent worker's transactions are short and many (about ten per session), and
 * Kysely serialises every statement of a transaction, BEGIN, the role prelude and COMMIT included: four
 * round trips for one read. Both ways here run on one watched reserved connection (watched-reserve.ts),
 * whose close fails every statement still pending, so neither can hang on a connection Postgres dropped.
 */

/** A postgres.js query not sent yet (what a tagged template or `unsafe` on the connection returns). */
export interface PendingStatement extends PromiseLike<unknown> {
  execute(): PromiseLike<unknown>
}

/** The statements of a pipeline, built on its reserved connection. */
export type PipelineStatements = readonly PendingStatement[]

/** What each statement of a pipeline answered, in order. */
export type PipelineResults<Q extends PipelineStatements> = {
  -readonly [K in keyof Q]: Awaited<Q[K]>
}

/** A Kysely query compiled by `db.kysely`, as a statement of a pipeline (prepared like a tagged query). */
export function compiledStatement(tx: postgres.ReservedSql, query: CompiledQuery) {
  return tx.unsafe(query.sql, [...query.parameters] as postgres.ParameterOrJSON<never>[], { prepare: true })
}

/**
 * One transaction in one write: BEGIN, the prelude, the statements and COMMIT are sent together, and the
 * answers collected (one round trip, plus one per statement text new to the connection, which postgres.js
 * describes first). Statements cannot depend on each other's results. Any failure fails the whole (the
 * first one in statement order is what the caller sees; the server rolled everything back, and COMMIT
 * answers ROLLBACK). Every statement settles: on a connection closed mid-way the watcher fails them all.
 */
export async function runPipeline<const Q extends PipelineStatements>(
  sql: postgres.Sql,
  prelude: (tx: postgres.ReservedSql) => PendingStatement,
  build: (tx: postgres.ReservedSql) => Q,
): Promise<PipelineResults<Q>> {
  const tx = await sql.reserve()
  const sent: PromiseLike<unknown>[] = [tx`begin`.execute(), prelude(tx).execute()]
  let statements: Q
  try {
    statements = build(tx)
  } catch (err) {
    await Promise.allSettled(sent)
    await abandonReserved(tx, err)
    throw err
  }
  for (const statement of statements) sent.push(statement.execute())
  sent.push(tx`commit`.execute())
  const settled = await Promise.allSettled(sent)
  const failed = settled.find((s) => s.status === 'rejected')
  if (!failed) {
    tx.release()
    return settled.slice(2, -1).map((s) => (s as PromiseFulfilledResult<unknown>).value) as PipelineResults<Q>
  }
  const commit = settled.at(-1) as PromiseSettledResult<unknown>
  // How the transaction ended decides what is left to do: COMMIT answered ROLLBACK (the server ended it:
  // release), the connection is gone (the pool's: leave it), or COMMIT never ran (roll back, release).
  const ending = commit.status === 'rejected' ? commit.reason : failed.reason
  await abandonReserved(tx, ending)
  throw failed.reason
}

const AFFECTED_ROWS = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE'])

/**
 * A Kysely connection over one reserved postgres.js connection that does not wait for one query before
 * sending the next (Kysely's transactions take a lock per query, SingleConnectionProvider): statements a
 * callback starts together share a round trip, and its first ones travel with BEGIN and the prelude.
 */
class PipelinedConnection implements DatabaseConnection, ConnectionProvider {
  constructor(private readonly reserved: postgres.ReservedSql) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const result = await compiledStatement(this.reserved, query)
    return {
      ...(AFFECTED_ROWS.has(result.command) ? { numAffectedRows: BigInt(result.count) } : {}),
      rows: Array.from(result.values()) as R[],
    }
  }

  // biome-ignore lint/correctness/useYield: never streams; throws before the first row.
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming queries is not supported in pipelined transactions')
  }

  provideConnection<T>(consumer: (connection: DatabaseConnection) => Promise<T>): Promise<T> {
    return consumer(this)
  }
}

/**
 * Runs `fn` in a Kysely transaction on one reserved connection: BEGIN, the prelude and the callback's first
 * statements in one round trip, then COMMIT (two round trips for a one-statement transaction, four on
 * Kysely's own). A failed BEGIN or prelude fails the callback's statements too ("transaction aborted"); the
 * first error is what the caller sees. A COMMIT answered with ROLLBACK throws (watched-reserve.ts).
 */
export async function pipelinedTransaction<DB, T>(
  options: {
    sql: postgres.Sql
    kysely: Kysely<DB>
    dialect: Dialect
    prelude: (tx: postgres.ReservedSql) => PendingStatement
  },
  fn: (tx: Transaction<DB>) => Promise<T>,
): Promise<T> {
  const reserved = await options.sql.reserve()
  try {
    const begun = Promise.all([reserved`begin`.execute(), options.prelude(reserved).execute()])
    // Awaited after the callback; until then its rejection must not count as unhandled.
    begun.catch(() => {})
    const tx = new Transaction<DB>({
      config: { dialect: options.dialect },
      dialect: options.dialect,
      driver: new DummyDriver(),
      executor: options.kysely.getExecutor().withConnectionProvider(new PipelinedConnection(reserved)),
    })
    let result: T
    try {
      result = await fn(tx)
    } catch (err) {
      // A failed BEGIN or prelude aborted the transaction and made the callback fail: report the cause.
      await begun
      throw err
    }
    await begun
    await reserved`commit`
    reserved.release()
    return result
  } catch (err) {
    // Rolls back and releases, unless the server ended the transaction or the connection is gone.
    await abandonReserved(reserved, err)
    throw err
  }
}
