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
