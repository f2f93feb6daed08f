import type { ProposalRow } from '@psa/changesets'
import { sql, type Tx } from '@psa/db'
import { AppError } from '@psa/errors'
import { z } from 'zod'
import { agentTypeSchema } from '../schemas/agents.js'
import { timestampSchema, uuidSchema } from '../schemas/common.js'
import { decodeCursor, pageOf } from './cursor.js'

export const PROPOSAL_STATUSES = ['pending', 'applied', 'rejected', 'reverted', 'failed'] as const

const proposalCursor = z.tuple([z.string().min(10).max(40), z.uuid()])

function changeCount(changeset: unknown): number {
  const operations = (changeset as { operations?: unknown } | null)?.operations
  return Array.isArray(operations) ? operations.length : 0
}

const iso = (d: Date | null) => (d ? d.toISOString() : null)

export function toProposalJson(p: ProposalRow): z.infer<typeof proposalSchema> {
  return {
    id: p.id,
    organisation_id: p.organisation_id,
    session_id: p.session_id,
    agent_type: p.agent_type,
    title: p.title,
    summary: p.summary,
    status: p.status,
    change_count: changeCount(p.changeset),
    applied_by: p.applied_by,
    applied_at: iso(p.applied_at),
    rejected_by: p.rejected_by,
    rejected_at: iso(p.rejected_at),
    reverted_by: p.reverted_by,
    reverted_at: iso(p.reverted_at),
    error: (p.error ?? null) as { code: string; message: string; details?: unknown } | null,
    version: p.version,
    created_at: p.created_at.toISOString(),
    updated_at: p.updated_at.toISOString(),
  }
}

export function toProposalDetailJson(p: ProposalRow): z.infer<typeof proposalDetailSchema> {
  return { ...toProposalJson(p), changeset: p.changeset, revert_changeset: p.revert_changeset ?? null }
}

export async function listProposals(
  tx: Tx,
  f: {
    organisationId: string
    status?: (typeof PROPOSAL_STATUSES)[number] | undefined
    sessionId?: string | undefined
    pageSize: number
    pageToken?: string | undefined
  },
): Promise<{ proposals: z.infer<typeof proposalSchema>[]; next_page_token: string | null }> {
  const after = decodeCursor(f.pageToken, proposalCursor)
  const rows = await tx
    .selectFrom('proposals as p')
    .selectAll('p')
    .select(sql<string>`p.created_at::text`.as('created_cursor'))
    .where('p.organisation_id', '=', f.organisationId)
    .$if(f.status !== undefined, (b) =>
      b.where('p.status', '=', f.status as (typeof PROPOSAL_STATUSES)[number]),
    )
    .$if(f.sessionId !== undefined, (b) => b.where('p.session_id', '=', f.sessionId as string))
    .$if(after !== undefined, (b) =>
      b.where(
        sql<boolean>`(p.created_at, p.id) < (${after?.[0] as string}::text::timestamptz, ${after?.[1] as string}::uuid)`,
      ),
    )
    .orderBy('p.created_at', 'desc')
    .orderBy('p.id', 'desc')
    .limit(f.pageSize + 1)
    .execute()
  const page = pageOf(rows, f.pageSize, (r) => [r.created_cursor, r.id])
  return {
    proposals: page.items.map(({ created_cursor: _c, ...p }) => toProposalJson(p)),
    next_page_token: page.next_page_token,
  }
}

export async function getProposal(tx: Tx, proposalId: string): Promise<z.infer<typeof proposalDetailSchema>> {
  const row = await tx.selectFrom('proposals').selectAll().where('id', '=', proposalId).executeTakeFirst()
  if (!row) throw new AppError('NOT_FOUND', 'Proposal not found', { details: { proposal_id: proposalId } })
  return toProposalDetailJson(row)
}

// The JSON shapes these queries answer (the routes declare them as response schemas).
export const proposalSchema = z
  .object({
    id: uuidSchema,
    organisation_id: uuidSchema,
    session_id: uuidSchema,
    agent_type: agentTypeSchema,
    title: z.string(),
    summary: z.string().nullable(),
    status: z.enum(PROPOSAL_STATUSES),
    change_count: z.number().int().describe('Operations in the changeset'),
    applied_by: uuidSchema.nullable(),
    applied_at: timestampSchema.nullable(),
    rejected_by: uuidSchema.nullable(),
    rejected_at: timestampSchema.nullable(),
    reverted_by: uuidSchema.nullable(),
    reverted_at: timestampSchema.nullable(),
    error: z
      .object({ code: z.string(), message: z.string(), details: z.unknown().optional() })
      .loose()
      .nullable()
      .describe('Why the last apply failed (status failed)'),
    version: z.number().int().describe('Send as expected_version with a decision to detect concurrent ones'),
    created_at: timestampSchema,
    updated_at: timestampSchema,
  })
  .meta({ id: 'Proposal' })

export const proposalDetailSchema = proposalSchema
  .extend({
    changeset: z.unknown().describe('The ordered insert/update/delete operations the agent proposes'),
    revert_changeset: z.unknown().describe('The exact inverse, stored when applied'),
  })
  .meta({ id: 'ProposalDetail' })
