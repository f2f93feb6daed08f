import { changesetSchema, isAgentWritableTable, revertChangesetSchema } from '@psa/changesets'
import { sql, type Tx } from '@psa/db'
import { AppError } from '@psa/errors'
import { z } from 'zod'
import { uuidSchema } from '../schemas/common.js'

/** Columns that hold an id of a row someone would rather see by name, and where to find that name. */
const REFERENCES: Record<string, { table: string; label: string }> = {
  person_id: { table: 'people', label: 'full_name' },
  assignee_person_id: { table: 'people', label: 'full_name' },
  manager_person_id: { table: 'people', label: 'full_name' },
  project_id: { table: 'projects', label: "code || ' ' || name" },
  phase_id: { table: 'phases', label: 'name' },
  task_id: { table: 'tasks', label: 'name' },
  predecessor_task_id: { table: 'tasks', label: 'name' },
  successor_task_id: { table: 'tasks', label: 'name' },
  role_id: { table: 'roles', label: 'name' },
  skill_id: { table: 'skills', label: 'name' },
  client_id: { table: 'clients', label: 'name' },
  quote_id: { table: 'quotes', label: 'title' },
  resource_request_id: { table: 'resource_requests', label: "'request ' || left(id::text, 8)" },
}
const LABEL_COLUMNS = ['name', 'title', 'full_name'] as const
const HIDDEN = new Set(['id', 'organisation_id', 'version', 'created_at', 'updated_at'])

export const proposalDiffSchema = z
  .object({
    proposal_id: uuidSchema,
    status: z.string(),
    before_from: z
      .enum(['current_data', 'revert_changeset'])
      .describe(
        'Where "before" values come from: the rows as they are now, or as they were before the apply',
      ),
    operations: z.array(
      z.object({
        op: z.enum(['insert', 'update', 'delete']),
        table: z.string(),
        id: uuidSchema,
        label: z.string().describe('The row in words: its name or title, else the table'),
        changes: z.array(
          z.object({
            column: z.string(),
            before: z.unknown(),
            after: z.unknown(),
            before_label: z.string().nullable().describe('The referenced row’s name, for id columns'),
            after_label: z.string().nullable(),
          }),
        ),
      }),
    ),
  })
  .meta({ id: 'ProposalDiff' })

type Row = Record<string, unknown>

/**
 * A proposal's changeset as a person reads it: per operation, each column's value before and after, ids
 * replaced by names. "Before" is the row as it is now while the proposal is undecided, and what the apply
 * replaced (its stored inverse) once applied. Everything is read as the user, under RLS.
 */
export async function proposalDiff(tx: Tx, proposalId: string): Promise<z.infer<typeof proposalDiffSchema>> {
  const proposal = await tx
    .selectFrom('proposals')
    .select(['id', 'status', 'changeset', 'revert_changeset'])
    .where('id', '=', proposalId)
    .executeTakeFirst()
  if (!proposal)
    throw new AppError('NOT_FOUND', 'Proposal not found', { details: { proposal_id: proposalId } })
  const changeset = changesetSchema.safeParse(proposal.changeset)
  if (!changeset.success) {
    throw new AppError('VALIDATION_FAILED', 'The proposal holds a malformed changeset', {
      details: { reason: 'invalid_changeset' },
    })
  }
  const revert = revertChangesetSchema.safeParse(proposal.revert_changeset)
  const fromRevert = revert.success && (proposal.status === 'applied' || proposal.status === 'reverted')
  const previous = new Map<string, Row>()
  if (fromRevert) {
    for (const op of revert.data.operations) {
      if (op.op === 'update') previous.set(`${op.table}/${op.id}`, op.set)
      if (op.op === 'insert') previous.set(`${op.table}/${op.values.id}`, op.values)
    }
  } else {
    const wanted = new Map<string, string[]>()
    for (const op of changeset.data.operations) {
      if (op.op === 'insert' || !isAgentWritableTable(op.table)) continue
      wanted.set(op.table, [...(wanted.get(op.table) ?? []), op.id])
    }
    for (const [table, ids] of wanted) {
      const rows =
        await sql<Row>`select * from ${sql.table(`public.${table}`)} where id = any(${ids}::uuid[])`.execute(
          tx,
        )
      for (const row of rows.rows) previous.set(`${table}/${row.id}`, row)
    }
  }

  const operations = changeset.data.operations.map((op) => {
    const id = op.op === 'insert' ? op.values.id : op.id
    const before = previous.get(`${op.table}/${id}`) ?? {}
    const after: Row = op.op === 'insert' ? op.values : op.op === 'update' ? op.set : {}
    const columns =
      op.op === 'update' ? Object.keys(op.set) : Object.keys(op.op === 'insert' ? op.values : before)
    return {
      op: op.op,
      table: op.table,
      id,
      label: labelOf({ ...before, ...after }) ?? op.table.replaceAll('_', ' '),
      changes: columns
        .filter((c) => !HIDDEN.has(c))
        .map((column) => ({
          column,
          before: op.op === 'insert' ? null : normalise(before[column]),
          after: op.op === 'delete' ? null : normalise(after[column]),
        })),
    }
  })
  const names = await referenceNames(tx, operations)
  return {
    proposal_id: proposal.id,
    status: proposal.status,
    before_from: fromRevert ? 'revert_changeset' : 'current_data',
    operations: operations.map((o) => ({
      ...o,
      changes: o.changes.map((c) => ({
        ...c,
        before_label: nameFor(names, c.column, c.before),
        after_label: nameFor(names, c.column, c.after),
      })),
    })),
  }
}

function labelOf(row: Row): string | undefined {
  for (const column of LABEL_COLUMNS) if (typeof row[column] === 'string') return row[column] as string
  return undefined
}

/** Dates and numbers as the API shows them elsewhere (Postgres hands back Dates for timestamps). */
function normalise(value: unknown): unknown {
  return value instanceof Date ? value.toISOString() : (value ?? null)
}

function nameFor(names: Map<string, string>, column: string, value: unknown): string | null {
  if (!(column in REFERENCES) || typeof value !== 'string') return null
  return names.get(`${REFERENCES[column]?.table}/${value}`) ?? null
}

async function referenceNames(
  tx: Tx,
  operations: { changes: { column: string; before: unknown; after: unknown }[] }[],
): Promise<Map<string, string>> {
  const wanted = new Map<string, Set<string>>()
  for (const op of operations) {
    for (const c of op.changes) {
      const ref = REFERENCES[c.column]
      if (!ref) continue
      for (const v of [c.before, c.after]) {
        if (typeof v === 'string' && uuidSchema.safeParse(v).success) {
          wanted.set(ref.table, (wanted.get(ref.table) ?? new Set()).add(v))
        }
      }
    }
  }
  const names = new Map<string, string>()
  for (const [table, ids] of wanted) {
    const label = Object.values(REFERENCES).find((r) => r.table === table)?.label as string
    // Both come from the constant map above, never from the request.
    const rows = await sql<{ id: string; label: string }>`
      select id, ${sql.raw(label)} as label from ${sql.table(`public.${table}`)} where id = any(${[...ids]}::uuid[])
    `.execute(tx)
    for (const row of rows.rows) names.set(`${table}/${row.id}`, row.label)
  }
  return names
}
