import { mapDatabaseError, sql, type Tx } from '@psa/db'
import { AppError } from '@psa/errors'
import {
  type Catalog,
  IDENTITY_COLUMNS,
  isAgentWritableTable,
  loadCatalog,
  type ReferencingKey,
  SERVER_MANAGED_COLUMNS,
  type TableInfo,
} from './catalog.js'
import type { RevertOperation } from './format.js'

/** A row as `to_jsonb` prints it: exact values (microsecond timestamps, numerics), ready to store. */
type RowImage = Record<string, unknown> & { id: string; version?: number; updated_at?: string }

export type ExecutionMode = 'apply' | 'revert'

export interface ExecuteOptions {
  /** Every row read or written must belong to this organisation (the proposal's). */
  organisationId: string
  /**
   * `apply`: an agent's changeset, which may not set server-managed columns. `revert`: our own stored
   * inverse, which restores deleted rows whole (version and timestamps included).
   */
  mode: ExecutionMode
}

/**
 * Runs the operations in order inside the caller's transaction (as the user: RLS applies) and returns the
 * exact inverse, in the order it must run. Guards (`expected_version`, `expected_updated_at`) are checked on
 * the first touch of each row; the row stays locked by this transaction from then on, so later operations
 * on the same row need no guard of their own.
 */
export async function executeOperations(
  tx: Tx,
  operations: readonly RevertOperation[],
  options: ExecuteOptions,
): Promise<RevertOperation[]> {
  const catalog = await loadCatalog(tx)
  const run = new Run(tx, catalog, options)
  const inverses: RevertOperation[][] = []
  for (const [index, op] of operations.entries()) {
    inverses.push(await run.execute(op, index))
  }
  return inverses.reverse().flat()
}

const rowKey = (table: string, id: string) => `${table}:${id}`
const qualified = (table: string) => sql.table(`public.${table}`)

class Run {
  readonly #touched = new Set<string>()

  constructor(
    readonly tx: Tx,
    readonly catalog: Catalog,
    readonly options: ExecuteOptions,
  ) {}

  async execute(op: RevertOperation, index: number): Promise<RevertOperation[]> {
    const id = op.op === 'insert' ? op.values.id : op.id
    const where = { operation: index, op: op.op, table: op.table, id }
    try {
      const table = this.#table(op.table, where)
      switch (op.op) {
        case 'insert':
          return await this.#insert(table, op.values, where)
        case 'update':
          return await this.#update(table, op, where)
        case 'delete':
          return await this.#delete(table, op, where)
      }
    } catch (err) {
      if (
        err instanceof AppError &&
        (err.details as { operation?: unknown } | undefined)?.operation !== undefined
      ) {
        throw err
      }
      const mapped = mapDatabaseError(err)
      const details = mapped.details && !Array.isArray(mapped.details) ? mapped.details : {}
      throw new AppError(mapped.code, mapped.message, {
        details: { ...details, ...where },
        cause: mapped.cause ?? err,
      })
    }
  }

  #table(name: string, where: Record<string, unknown>): TableInfo {
    const info = isAgentWritableTable(name) ? this.catalog.tables.get(name) : undefined
    if (!info) {
      throw new AppError('VALIDATION_FAILED', `Agents may not change the table "${name}"`, {
        details: { ...where, reason: 'table_not_allowed' },
      })
    }
    return info
  }

  #checkColumns(
    table: TableInfo,
    values: Record<string, unknown>,
    forbidden: ReadonlySet<string>,
    where: Record<string, unknown>,
  ): void {
    for (const column of Object.keys(values)) {
      if (!table.columns.has(column)) {
        throw new AppError('VALIDATION_FAILED', `${table.name} has no column "${column}"`, {
          details: { ...where, column, reason: 'unknown_column' },
        })
      }
      if (forbidden.has(column)) {
        throw new AppError('VALIDATION_FAILED', `${table.name}.${column} cannot be set by a changeset`, {
          details: { ...where, column, reason: 'column_not_allowed' },
        })
      }
    }
  }

  async #insert(
    table: TableInfo,
    given: Record<string, unknown> & { id: string },
    where: Record<string, unknown>,
  ): Promise<RevertOperation[]> {
    // organisation_id is the proposal's whatever the changeset says: an agent cannot write across tenants.
    const { organisation_id: _ignored, ...rest } = given
    this.#checkColumns(
      table,
      rest,
      this.options.mode === 'apply' ? SERVER_MANAGED_COLUMNS : new Set<string>(),
      where,
    )
    const values = { ...rest, organisation_id: this.options.organisationId }
    const columns = Object.keys(values)
    const inserted = await sql<{ row: RowImage }>`
      insert into ${qualified(table.name)} as t (${sql.join(columns.map((c) => sql.ref(c)))})
      select ${sql.join(columns.map((c) => sql.ref(`r.${c}`)))}
      from jsonb_populate_record(null::${qualified(table.name)}, ${JSON.stringify(values)}::text::jsonb) r
      returning to_jsonb(t.*) as row
    `.execute(this.tx)
    const row = inserted.rows[0]?.row as RowImage
    this.#touched.add(rowKey(table.name, row.id))
    return [{ op: 'delete', table: table.name, id: row.id, ...guardOf(table, row) }]
  }

  async #update(
    table: TableInfo,
    op: Extract<RevertOperation, { op: 'update' }>,
    where: Record<string, unknown>,
  ): Promise<RevertOperation[]> {
    const forbidden = new Set([...IDENTITY_COLUMNS, ...SERVER_MANAGED_COLUMNS])
    this.#checkColumns(table, op.set, forbidden, where)
    checkGuardKind(table, op, where)
    const before = await this.#lock(table, op.id, where)
    const guarded = this.#firstTouch(table, op.id)
    const columns = Object.keys(op.set)
    if (columns.length === 0) return []
    const updated = await sql<{ row: RowImage }>`
      update ${qualified(table.name)} as t
      set ${sql.join(columns.map((c) => sql`${sql.ref(c)} = ${sql.ref(`r.${c}`)}`))}
      from jsonb_populate_record(null::${qualified(table.name)}, ${JSON.stringify(op.set)}::text::jsonb) r
      where t.id = ${op.id} and t.organisation_id = ${this.options.organisationId}
        ${guarded ? guardSql(op) : sql``}
      returning to_jsonb(t.*) as row
    `.execute(this.tx)
    const after = updated.rows[0]?.row
    if (!after) throw conflict(table, before, op, where)
    // Triggers may change more than the columns set (approval stamps): restore every column that changed.
    const changed = [...table.columns].filter(
      (c) => !SERVER_MANAGED_COLUMNS.has(c) && !sameJson(before[c], after[c]),
    )
    if (changed.length === 0) return []
    return [
      {
        op: 'update',
        table: table.name,
        id: op.id,
        ...guardOf(table, after),
        set: Object.fromEntries(changed.map((c) => [c, before[c] ?? null])),
      },
    ]
  }

  async #delete(
    table: TableInfo,
    op: Extract<RevertOperation, { op: 'delete' }>,
    where: Record<string, unknown>,
  ): Promise<RevertOperation[]> {
    checkGuardKind(table, op, where)
    const before = await this.#lock(table, op.id, where)
    const guarded = this.#firstTouch(table, op.id)
    // What Postgres will do to rows that reference this one, captured before it happens so the inverse can
    // put them back: cascaded deletes are re-inserted, `set null` columns restored.
    const captured = new Captured()
    captured.deleted.set(rowKey(table.name, before.id), { table: table.name, row: before })
    await this.#captureDependents(table.name, before, captured, where)
    captured.deleted.delete(rowKey(table.name, before.id))

    const deleted = await sql<{ id: string }>`
      delete from ${qualified(table.name)} as t
      where t.id = ${op.id} and t.organisation_id = ${this.options.organisationId}
        ${guarded ? guardSql(op) : sql``}
      returning t.id
    `.execute(this.tx)
    if (deleted.rows.length === 0) throw conflict(table, before, op, where)

    const inverse: RevertOperation[] = [{ op: 'insert', table: table.name, values: before }]
    const depth = (t: string) => this.catalog.depth.get(t) ?? 0
    const restored = [...captured.deleted.values()].sort((a, b) => depth(a.table) - depth(b.table))
    for (const { table: child, row } of restored) {
      this.#touched.add(rowKey(child, row.id))
      inverse.push({ op: 'insert', table: child, values: row })
    }
    for (const { table: child, row, columns } of captured.nulled.values()) {
      const info = this.catalog.tables.get(child) as TableInfo
      const now = await sql<{ row: RowImage }>`
        select to_jsonb(t.*) as row from ${qualified(child)} t where t.id = ${row.id}
      `.execute(this.tx)
      const current = now.rows[0]?.row
      if (!current) continue
      this.#touched.add(rowKey(child, row.id))
      inverse.push({
        op: 'update',
        table: child,
        id: row.id,
        ...guardOf(info, current),
        set: Object.fromEntries([...columns].map((c) => [c, row[c] ?? null])),
      })
    }
    this.#touched.add(rowKey(table.name, before.id))
    return inverse
  }

  async #captureDependents(
    parentTable: string,
    parent: RowImage,
    captured: Captured,
    where: Record<string, unknown>,
  ): Promise<void> {
    for (const key of this.catalog.referencing.get(parentTable) ?? []) {
      if (key.onDelete === 'a' || key.onDelete === 'r') continue
      const writable = key.childSchema === 'public' && isAgentWritableTable(key.childTable)
      const children = await this.#children(key, parent, writable ? undefined : 1)
      if (children.length === 0) continue
      if (!writable) {
        throw new AppError(
          'VALIDATION_FAILED',
          `Deleting this ${parentTable} row would also change ${key.childTable} rows, which agents may not change`,
          { details: { ...where, reason: 'affects_protected_rows', affected_table: key.childTable } },
        )
      }
      for (const child of children) {
        const k = rowKey(key.childTable, child.id)
        if (key.onDelete === 'c') {
          if (captured.deleted.has(k)) continue
          captured.deleted.set(k, { table: key.childTable, row: child })
          captured.nulled.delete(k)
          await this.#captureDependents(key.childTable, child, captured, where)
        } else if (!captured.deleted.has(k)) {
          const entry = captured.nulled.get(k) ?? { table: key.childTable, row: child, columns: new Set() }
          for (const c of key.setColumns) entry.columns.add(c)
          captured.nulled.set(k, entry)
        }
      }
    }
  }

  async #children(key: ReferencingKey, parent: RowImage, limit?: number): Promise<RowImage[]> {
    const result = await sql<{ row: RowImage }>`
      select to_jsonb(c.*) as row from ${sql.table(`${key.childSchema}.${key.childTable}`)} c
      where (${sql.join(key.childColumns.map((col) => sql.ref(`c.${col}`)))}) =
        (select ${sql.join(key.parentColumns.map((col) => sql.ref(`p.${col}`)))}
         from jsonb_populate_record(null::${qualified(key.parentTable)}, ${JSON.stringify(parent)}::text::jsonb) p)
      order by c.id
      ${limit === undefined ? sql`` : sql`limit ${limit}`}
    `.execute(this.tx)
    return result.rows.map((r) => r.row)
  }

  /** Locks the row (ours to change) or explains why it cannot be: not there, or not the user's to change. */
  async #lock(table: TableInfo, id: string, where: Record<string, unknown>): Promise<RowImage> {
    const locked = await sql<{ row: RowImage }>`
      select to_jsonb(t.*) as row from ${qualified(table.name)} t
      where t.id = ${id} and t.organisation_id = ${this.options.organisationId}
      for update
    `.execute(this.tx)
    const row = locked.rows[0]?.row
    if (row) return row
    // FOR UPDATE sees only rows the user may update; a plain read tells "not allowed" from "not there".
    const visible = await sql<{ id: string }>`
      select t.id from ${qualified(table.name)} t
      where t.id = ${id} and t.organisation_id = ${this.options.organisationId}
    `.execute(this.tx)
    if (visible.rows.length > 0) {
      throw new AppError('FORBIDDEN', `You are not allowed to change this ${table.name} row`, {
        details: { ...where, reason: 'row_not_writable' },
      })
    }
    throw new AppError('NOT_FOUND', `The ${table.name} row ${id} does not exist`, {
      details: { ...where, reason: 'row_not_found' },
    })
  }

  #firstTouch(table: TableInfo, id: string): boolean {
    const key = rowKey(table.name, id)
    const first = !this.#touched.has(key)
    this.#touched.add(key)
    return first
  }
}

class Captured {
  /** Rows a cascade deletes, parents before children. */
  readonly deleted = new Map<string, { table: string; row: RowImage }>()
  /** Rows whose key columns a `set null` clears, with those columns. */
  readonly nulled = new Map<string, { table: string; row: RowImage; columns: Set<string> }>()
}

function guardOf(
  table: TableInfo,
  row: RowImage,
): { expected_version: number } | { expected_updated_at: string } {
  return table.versioned
    ? { expected_version: Number(row.version) }
    : { expected_updated_at: String(row.updated_at) }
}

/** A version guard needs a version column; tables without one are guarded by updated_at (reverts only). */
function checkGuardKind(
  table: TableInfo,
  op: { expected_version?: number | undefined; expected_updated_at?: string | undefined },
  where: Record<string, unknown>,
): void {
  if (op.expected_version !== undefined && !table.versioned) {
    throw new AppError('VALIDATION_FAILED', `${table.name} rows have no version to compare`, {
      details: { ...where, reason: 'table_not_versioned' },
    })
  }
}

// Parameters are bound as text and cast in SQL: postgres.js would otherwise serialise a timestamptz parameter
// through a JS Date (milliseconds), and a jsonb parameter through JSON.stringify a second time.
function guardSql(op: { expected_version?: number | undefined; expected_updated_at?: string | undefined }) {
  return sql`
    ${op.expected_version === undefined ? sql`` : sql`and t.version = ${op.expected_version}`}
    ${op.expected_updated_at === undefined ? sql`` : sql`and t.updated_at = ${op.expected_updated_at}::text::timestamptz`}
  `
}

function conflict(
  table: TableInfo,
  current: RowImage,
  op: { expected_version?: number | undefined; expected_updated_at?: string | undefined },
  where: Record<string, unknown>,
): AppError {
  return new AppError('VERSION_CONFLICT', `The ${table.name} row ${current.id} changed since it was read`, {
    details: {
      ...where,
      ...(op.expected_version === undefined
        ? {}
        : { expected_version: op.expected_version, current_version: current.version }),
      ...(op.expected_updated_at === undefined
        ? {}
        : { expected_updated_at: op.expected_updated_at, current_updated_at: current.updated_at }),
    },
  })
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null)
}
