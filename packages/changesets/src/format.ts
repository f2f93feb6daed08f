import { z } from 'zod'

/**
 * What an agent proposes to change, stored in `proposals.changeset` and applied by a person (or
 * auto-applied when allowed). Operations run in order, in one transaction, as the applying user (RLS and
 * role policies decide), with compare-and-set on `version` for updates and deletes so a row someone edited
 * since the agent read it is reported as a conflict, never overwritten. Inserts carry their own ids, which
 * makes a changeset re-appliable and its revert (computed at apply time, stored in `revert_changeset`)
 * exact. `organisation_id` is never taken from the changeset: it is the proposal's.
 */
const table = z.string().regex(/^[a-z_]+$/)
const columns = z.record(z.string().regex(/^[a-z_][a-z0-9_]*$/), z.unknown())

export const changesetOperationSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('insert'), table, values: columns.and(z.object({ id: z.uuid() })) }),
  z.object({
    op: z.literal('update'),
    table,
    id: z.uuid(),
    expected_version: z.number().int().positive().optional(),
    set: columns,
  }),
  z.object({
    op: z.literal('delete'),
    table,
    id: z.uuid(),
    expected_version: z.number().int().positive().optional(),
  }),
])

export const changesetSchema = z.object({
  version: z.literal(1),
  operations: z.array(changesetOperationSchema).min(1).max(5_000),
})

export type ChangesetOperation = z.infer<typeof changesetOperationSchema>
export type Changeset = z.infer<typeof changesetSchema>

/**
 * Compare-and-set guard for rows of tables without a `version` column (task dependencies, baselines, quote
 * versions and lines): the row's `updated_at` exactly as Postgres printed it (microseconds), which every
 * update changes because a trigger maintains it.
 */
const expectedUpdatedAt = z.string().min(10).max(40)

/**
 * What we store in `proposals.revert_changeset`: the changeset format, plus `expected_updated_at` guards.
 * Inserts restore deleted rows whole (version and timestamps included); updates restore old values and
 * expect the version (or updated_at) the apply produced; deletes remove inserted rows under the same guard.
 */
export const revertOperationSchema = z.discriminatedUnion('op', [
  z.object({
    op: z.literal('insert'),
    table: changesetOperationSchema.options[0].shape.table,
    values: z.record(z.string().regex(/^[a-z_][a-z0-9_]*$/), z.unknown()).and(z.object({ id: z.uuid() })),
  }),
  z.object({
    op: z.literal('update'),
    table: changesetOperationSchema.options[1].shape.table,
    id: z.uuid(),
    expected_version: z.number().int().positive().optional(),
    expected_updated_at: expectedUpdatedAt.optional(),
    set: z.record(z.string().regex(/^[a-z_][a-z0-9_]*$/), z.unknown()),
  }),
  z.object({
    op: z.literal('delete'),
    table: changesetOperationSchema.options[2].shape.table,
    id: z.uuid(),
    expected_version: z.number().int().positive().optional(),
    expected_updated_at: expectedUpdatedAt.optional(),
  }),
])

export const revertChangesetSchema = z.object({
  version: z.literal(1),
  operations: z.array(revertOperationSchema).max(100_000),
})

export type RevertOperation = z.infer<typeof revertOperationSchema>
export type RevertChangeset = z.infer<typeof revertChangesetSchema>
