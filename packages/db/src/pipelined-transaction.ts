import {
  AbortedTransactionError,
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

const AFFECTED_ROWS = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE'])

/**
 * A Kysely connection over one reserved postgres.js connection that does not wait for one query before
 * sending the next: postgres.js pipelines them on the wire and answers in order, so statements a
 * transaction starts together (`Promise.all`) share a round trip. Kysely's own transactions serialise
 * every query, which made each statement (BEGIN, the role prelude and COMMIT included) a round trip.
 */
class PipelinedConnection implements DatabaseConnection, ConnectionProvider {
  constructor(
    private readonly reserved: postgres.ReservedSql,
    private readonly prepare: boolean,
  ) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.reserved.unsafe(
      query.sql,
      [...query.parameters] as postgres.ParameterOrJSON<never>[],
      { prepare: this.prepare },
    )
    return {
      numAffectedRows: AFFECTED_ROWS.has(result.command) ? BigInt(result.count) : undefined,
      rows: Array.from(result.values()) as R[],
    }
  }

  // biome-ignore lint/correctness/useYield: never streams; throws before the first row.
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('streaming queries is not supported inside Database transactions')
  }

  provideConnection<T>(consumer: (connection: DatabaseConnection) => Promise<T>): Promise<T> {
    return consumer(this)
  }
}

export interface PipelinedTransactionOptions<DB> {
  sql: postgres.Sql
  kysely: Kysely<DB>
  dialect: Dialect
  prepare: boolean
  /** Sent right after BEGIN, without waiting: it travels with the callback's first statements. */
  prelude: (tx: postgres.ReservedSql) => postgres.PendingQuery<postgres.Row[]>
}

/**
 * Runs `fn` in a transaction on one reserved connection: BEGIN, the prelude and the callback's first
 * statements in one round trip, then COMMIT (two round trips for a one-statement transaction, four before).
 * A failed BEGIN or prelude makes the callback's statements fail too ("transaction aborted"); the first
 * error is what the caller sees. COMMIT answered with ROLLBACK (an earlier statement failed and the callback
 * went on) throws, as Kysely's transactions do.
 */
export async function pipelinedTransaction<DB, T>(
  options: PipelinedTransactionOptions<DB>,
  fn: (tx: Transaction<DB>) => Promise<T>,
): Promise<T> {
  const reserved = await options.sql.reserve()
  try {
    const begun = Promise.all([reserved`begin`.execute(), options.prelude(reserved).execute()])
    // Awaited below, after the callback; until then a rejection must not count as unhandled.
    begun.catch(() => {})
    const connection = new PipelinedConnection(reserved, options.prepare)
    const tx = new Transaction<DB>({
      config: { dialect: options.dialect },
      dialect: options.dialect,
      driver: new DummyDriver(),
      executor: options.kysely.getExecutor().withConnectionProvider(connection),
    })
    let result: T
    try {
      result = await fn(tx)
      await begun
    } catch (err) {
      await begun
      throw err
    }
    const committed = await reserved`commit`
    if (committed.command === 'ROLLBACK') throw new AbortedTransactionError()
    reserved.release()
    return result
  } catch (err) {
    // Rolls back and releases, unless the connection is gone (then the pool has it; connection-loss.ts).
    await abandonReserved(reserved, err)
    throw err
  }
}
