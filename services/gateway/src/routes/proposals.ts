import { applyProposal, rejectProposal, revertProposal } from '@psa/changesets'
import type { Database } from '@psa/db'
import type { FastifyInstance } from 'fastify'
import type { ZodTypeProvider } from 'fastify-type-provider-zod'
import { z } from 'zod'
import { proposalDiff, proposalDiffSchema } from '../domain/proposal-diff.js'
import {
  getProposal,
  listProposals,
  PROPOSAL_STATUSES,
  proposalDetailSchema,
  proposalSchema,
  toProposalDetailJson,
} from '../domain/proposals.js'
import { claimsOf } from '../domain/tenancy.js'
import { errorResponses, idParamsSchema, uuidSchema } from '../schemas/common.js'
import { pagedListRoute } from './paged-list.js'
import { userOf } from './user.js'

const decisionBodySchema = z
  .object({
    expected_version: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('The proposal version you decided on; a different current version is 409 VERSION_CONFLICT'),
  })
  .strict()
  .optional()
  .nullable()

const DECISIONS = [
  {
    action: 'apply',
    run: applyProposal,
    summary: 'Apply a proposal',
    description:
      'Applies the changeset in one transaction as you (managers and above): every row is compare-and-set, ' +
      'so a row changed since the agent read it is 409 VERSION_CONFLICT naming it. A changeset that cannot ' +
      'be applied (conflict, missing row, broken rule) leaves the data untouched and the proposal `failed` ' +
      'with the error; it can be applied again or rejected.',
  },
  {
    action: 'reject',
    run: rejectProposal,
    summary: 'Reject a proposal',
    description: 'Marks a pending or failed proposal rejected (managers and above). Nothing else changes.',
  },
  {
    action: 'revert',
    run: revertProposal,
    summary: 'Revert an applied proposal',
    description:
      'Runs the stored inverse in one transaction as you. If anything it touches changed since the apply, ' +
      'nothing is reverted and the answer is 409 VERSION_CONFLICT naming the row.',
  },
] as const

export async function proposalRoutes(app: FastifyInstance, { db }: { db: Database }) {
  const r = app.withTypeProvider<ZodTypeProvider>()

  pagedListRoute(app, db, {
    url: '/api/proposals',
    tags: ['proposals'],
    summary: "The organisation's agent proposals, newest first",
    filters: { status: z.enum(PROPOSAL_STATUSES).optional(), session_id: uuidSchema.optional() },
    key: 'proposals',
    item: proposalSchema,
    list: (tx, { filters: f, ...page }) =>
      listProposals(tx, { ...page, status: f.status, sessionId: f.session_id }),
  })

  r.get(
    '/api/proposals/:id',
    {
      schema: {
        tags: ['proposals'],
        summary: 'A proposal with its changeset',
        params: idParamsSchema,
        response: { 200: proposalDetailSchema, ...errorResponses(404) },
      },
    },
    async (request) => db.asUser(claimsOf(userOf(request)), (tx) => getProposal(tx, request.params.id)),
  )

  r.get(
    '/api/proposals/:id/diff',
    {
      schema: {
        tags: ['proposals'],
        summary: 'A proposal as a readable diff: each row’s values before and after, ids named',
        params: idParamsSchema,
        response: { 200: proposalDiffSchema, ...errorResponses(404) },
      },
    },
    async (request) => db.asUser(claimsOf(userOf(request)), (tx) => proposalDiff(tx, request.params.id)),
  )

  for (const decision of DECISIONS) {
    r.post(
      `/api/proposals/:id/${decision.action}`,
      {
        schema: {
          tags: ['proposals'],
          summary: decision.summary,
          description: decision.description,
          params: idParamsSchema,
          body: decisionBodySchema,
          response: { 200: proposalDetailSchema, ...errorResponses(403, 404, 409, 415) },
        },
      },
      async (request) => {
        const proposal = await decision.run(db, claimsOf(userOf(request)), request.params.id, {
          expectedVersion: request.body?.expected_version,
        })
        return toProposalDetailJson(proposal)
      },
    )
  }
}
