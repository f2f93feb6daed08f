import { sql, type Tx } from '@psa/db'

/**
 * The tables an agent's changeset may change: the plan (projects and their phases, tasks, dependencies,
 * milestones, baselines), staffing (resource requests and allocations) and pricing (quotes with their
 * versions and lines). Everything else is people's or the system's to change: organisations, memberships,
 * people and their skills, clients, rate cards, time entries, and the agent tables themselves. Table names
 * in SQL only ever come from this list.
 */
export const AGENT_WRITABLE_TABLES = [
  'projects',
  'phases',
  'tasks',
  'task_dependencies',
  'milestones',
  'baselines',
  'resource_requests',
  'allocations',
  'quotes',
  'quote_versions',
  'quote_lines',
] as const

export type AgentWritableTable = (typeof AGENT_WRITABLE_TABLES)[number]

export function isAgentWritableTable(name: string): name is AgentWritableTable {
  return (AGENT_WRITABLE_TABLES as readonly string[]).includes(name)
}

/** Columns the database maintains: a changeset never sets them (a revert may restore a deleted row's). */
export const SERVER_MANAGED_COLUMNS = new Set(['version', 'created_at', 'updated_at'])
/** Columns that identify a row; never changed by an update. */
export const IDENTITY_COLUMNS = new Set(['id', 'organisation_id'])

export interface TableInfo {
  name: string
  columns: ReadonlySet<string>
  /** Tables with a `version` column get compare-and-set on it; the others on `updated_at`. */
  versioned: boolean
}

/** A foreign key pointing at a writable table, with what Postgres does to the child rows on delete. */
export interface ReferencingKey {
  constraint: string
  childSchema: string
  childTable: string
  childColumns: string[]
  parentTable: string
  parentColumns: string[]
  /** a = no action, r = restrict, c = cascade, n = set null, d = set default. */
  onDelete: 'a' | 'r' | 'c' | 'n' | 'd'
  /** The child columns an `on delete set null/default` changes (all key columns when not listed). */
  setColumns: string[]
}

export interface Catalog {
  tables: ReadonlyMap<string, TableInfo>
  /** Keys referencing each table (by parent table name). */
  referencing: ReadonlyMap<string, ReferencingKey[]>
  /**
   * Each writable table's depth in the foreign-key graph among writable tables (0 for tables that
   * reference none): restoring rows in ascending depth inserts every parent before its children.
   */
  depth: ReadonlyMap<string, number>
}

let cached: Promise<Catalog> | undefined

/**
 * The writable tables' columns and the foreign keys that point at them, read from pg_catalog once per
 * process (the schema does not change under a running service; a migration ships with a restart).
 */
export function loadCatalog(tx: Tx): Promise<Catalog> {
  cached ??= readCatalog(tx).catch((err: unknown) => {
    cached = undefined
    throw err
  })
  return cached
}

async function readCatalog(tx: Tx): Promise<Catalog> {
  const names = [...AGENT_WRITABLE_TABLES]
  const columns = await sql<{ table_name: string; column_name: string }>`
    select c.relname as table_name, a.attname as column_name
    from pg_catalog.pg_attribute a
    join pg_catalog.pg_class c on c.oid = a.attrelid
    join pg_catalog.pg_namespace n on n.oid = c.relnamespace
    where n.nspname = 'public' and c.relname = any(${names}::text[]) and a.attnum > 0
      and not a.attisdropped and a.attgenerated = ''
  `.execute(tx)
  const tables = new Map<string, TableInfo>()
  for (const name of names) {
    const cols = new Set(columns.rows.filter((r) => r.table_name === name).map((r) => r.column_name))
    if (cols.size === 0) throw new Error(`table public.${name} is missing from the database`)
    tables.set(name, { name, columns: cols, versioned: cols.has('version') })
  }

  const keys = await sql<{
    constraint_name: string
    child_schema: string
    child_table: string
    parent_table: string
    on_delete: ReferencingKey['onDelete']
    child_columns: string[]
    parent_columns: string[]
    set_columns: string[]
  }>`
    select con.conname as constraint_name, cn.nspname as child_schema, child.relname as child_table,
      parent.relname as parent_table, con.confdeltype as on_delete,
      array(select a.attname from unnest(con.conkey) with ordinality k(attnum, ord)
        join pg_catalog.pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.attnum order by k.ord)::text[]
        as child_columns,
      array(select a.attname from unnest(con.confkey) with ordinality k(attnum, ord)
        join pg_catalog.pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.attnum order by k.ord)::text[]
        as parent_columns,
      array(select a.attname from unnest(coalesce(con.confdelsetcols, '{}'::int2[])) with ordinality k(attnum, ord)
        join pg_catalog.pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.attnum order by k.ord)::text[]
        as set_columns
    from pg_catalog.pg_constraint con
    join pg_catalog.pg_class child on child.oid = con.conrelid
    join pg_catalog.pg_namespace cn on cn.oid = child.relnamespace
    join pg_catalog.pg_class parent on parent.oid = con.confrelid
    join pg_catalog.pg_namespace pn on pn.oid = parent.relnamespace
    where con.contype = 'f' and pn.nspname = 'public' and parent.relname = any(${names}::text[])
    order by con.conname
  `.execute(tx)
  const referencing = new Map<string, ReferencingKey[]>()
  for (const row of keys.rows) {
    const list = referencing.get(row.parent_table) ?? []
    list.push({
      constraint: row.constraint_name,
      childSchema: row.child_schema,
      childTable: row.child_table,
      childColumns: row.child_columns,
      parentTable: row.parent_table,
      parentColumns: row.parent_columns,
      onDelete: row.on_delete,
      setColumns: row.set_columns.length > 0 ? row.set_columns : row.child_columns,
    })
    referencing.set(row.parent_table, list)
  }
  return { tables, referencing, depth: foreignKeyDepth(names, referencing) }
}

function foreignKeyDepth(names: readonly string[], referencing: Map<string, ReferencingKey[]>) {
  const parentsOf = new Map<string, Set<string>>(names.map((n) => [n, new Set<string>()]))
  for (const keys of referencing.values()) {
    for (const key of keys) {
      if (key.childSchema === 'public' && key.childTable !== key.parentTable) {
        parentsOf.get(key.childTable)?.add(key.parentTable)
      }
    }
  }
  const depth = new Map<string, number>()
  const visit = (table: string, path: Set<string>): number => {
    const known = depth.get(table)
    if (known !== undefined) return known
    if (path.has(table)) return 0
    path.add(table)
    const parents = [...(parentsOf.get(table) ?? [])]
    const d = parents.length === 0 ? 0 : 1 + Math.max(...parents.map((p) => visit(p, path)))
    path.delete(table)
    depth.set(table, d)
    return d
  }
  for (const name of names) visit(name, new Set())
  return depth
}
