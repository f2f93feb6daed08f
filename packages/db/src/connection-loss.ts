import { createConnection, type Socket } from 'node:net'
import {
  type CompiledQuery,
  type DatabaseConnection,
  isAbortedTransactionError,
  type QueryResult,
} from 'kysely'
import type postgres from 'postgres'

const LOST = new Set([
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  '57P01',
  '57P02',
  '57P03',
  '25P03', // idle_in_transaction_session_timeout: the server ends the session with the transaction
  '57P05', // idle_session_timeout
  '08000',
  '08003',
  '08006',
])

/** Whether the error means the connection a query ran on is gone (so is its transaction, server-side). */
export function isConnectionLoss(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code
  return typeof code === 'string' && LOST.has(code)
}

/*
 * Why this file exists: postgres.js 3.4.9 corrupts its pool when a reserved connection's socket dies (a
 * Postgres restart, a reset connection; found by the Postgres fault suite). A query sent on it afterwards
 * (the ROLLBACK every failed transaction sends) is never answered, or throws "Cannot read properties of
 * null (reading 'write')" from a timer, and `release()` moves the dead connection back to the open queue,
 * where the next query hangs the same way. The pool has already taken the connection back as closed (and
 * reconnects it when needed), so after a loss a reserved connection is left alone: no ROLLBACK (the server
 * ended the transaction with the connection) and no release.
 */

/** Ends a reserved connection's transaction after `err`: rolls back and releases, unless the connection is gone. */
export async function abandonReserved(tx: postgres.ReservedSql, err: unknown): Promise<void> {
  if (isConnectionLoss(err)) return
  // A COMMIT answered with ROLLBACK (watched-reserve.ts) already ended the transaction.
  if (isAbortedTransactionError(err)) return tx.release()
  await tx`rollback`.catch(() => {})
  tx.release()
}

/** The same for Kysely's connections (`PostgresJSDialect`'s `onReserveConnection`). */
export async function guardKyselyConnection(connection: DatabaseConnection): Promise<void> {
  let lost = false
  const execute = connection.executeQuery.bind(connection)
  const guarded = connection as DatabaseConnection & Record<symbol, () => void>
  guarded.executeQuery = async <R>(query: CompiledQuery): Promise<QueryResult<R>> => {
    if (lost && query.sql === 'rollback') return { rows: [] }
    try {
      return await execute<R>(query)
    } catch (err) {
      if (isConnectionLoss(err)) lost = true
      throw err
    }
  }
  // kysely-postgres-js releases the reservation through a module-private symbol method.
  const proto = Object.getPrototypeOf(connection) as Record<symbol, () => void>
  const release = Object.getOwnPropertySymbols(proto).find((s) => s.description === 'release')
  if (!release) throw new Error('kysely-postgres-js changed: its connection has no release method to guard')
  const original = proto[release] as () => void
  guarded[release] = () => {
    if (!lost) original.call(connection)
  }
}

/**
 * The socket postgres.js gets for a plain TCP connection, with its failure reported in one piece: a reset
 * socket emits 'error' at once but 'close' only after the handle closed, and a query sent in between (a
 * retry, a ROLLBACK, the next request's query) is never answered: postgres.js 3.4.9 fails the queries it
 * had on an 'error' and, on a 'close' after an error, not the ones sent since. Holding the error until the
 * close and emitting both together leaves no such gap. (TLS connections are wrapped by postgres.js itself,
 * after this socket; they keep the library's behaviour.)
 */
export function wholeFailureSocket(options: { host: string[]; port: number[] }): Socket {
  const host = options.host[0] ?? '127.0.0.1'
  const port = options.port[0] ?? 5432
  const socket = createConnection({ host, port }) as Socket & { host?: string; port?: number }
  socket.host = host
  socket.port = port
  let failure: unknown
  const emit = socket.emit.bind(socket) as (event: string | symbol, ...args: unknown[]) => boolean
  socket.emit = ((event: string | symbol, ...args: unknown[]) => {
    if (event === 'error') {
      failure ??= args[0]
      return true
    }
    if (event === 'close' && failure !== undefined) emit('error', failure)
    return emit(event, ...args)
  }) as Socket['emit']
  return socket
}

/**
 * Whether postgres.js would make a plain TCP connection to one host for this URL, the case
 * `wholeFailureSocket` stands in for (TLS, several hosts and Unix sockets keep the library's own socket).
 */
export function plainTcpUrl(url: string): boolean {
  try {
    const u = new URL(url)
    const mode = u.searchParams.get('sslmode') ?? u.searchParams.get('ssl')
    const tls = mode !== null && mode !== 'disable' && mode !== 'false'
    return !tls && u.hostname !== '' && !u.host.includes(',') && !u.searchParams.has('host')
  } catch {
    return false
  }
}
