import type { AttemptStore, SessionEventBody, SessionRow } from '@psa/agent-pipeline'
import { changesetSchema } from '@psa/changesets'
import type { Logger } from '@psa/config'
import type { Database, JwtClaims } from '@psa/db'
import type { AgentTypeName } from '@psa/proto'
import { type AutoApplyResult, autoApplyProposal } from './auto-apply.js'
import { canonicalJson, sha256Hex } from './deterministic-id.js'
import type { RuntimeMetrics } from './metrics.js'
import { type AutoApplyReport, autoApplyReport, type ProposalInput, type ProposalOutcome } from './tools.js'

export interface ProposalSinkOptions {
  session: Pick<SessionRow, 'id' | 'organisation_id'>
  agentType: AgentTypeName
  attempts: AttemptStore
  db: Database
  /** The requesting user: auto-apply runs as them, so RLS and their role decide. */
  claims: JwtClaims
  /** Whether the request asked (row and work item alike) for proposals to be applied at once. */
  autoApply: boolean
  /** Proposals an earlier attempt of this request already announced (their events are in the log). */
  announced: Set<string>
  emit: (body: SessionEventBody) => Promise<void>
  signal: AbortSignal
  logger: Logger
  metrics: RuntimeMetrics
  labels: { agent_type: AgentTypeName }
}

/**
 * Where an attempt's tools put their proposals: stored once per (session, key) so a restarted attempt gets
 * its earlier proposal back, applied at once when the request asked for it, and announced once.
 */
export class ProposalSink {
  /** Every proposal of the attempt, in the order first proposed (the result's `proposal_ids`). */
  readonly proposalIds: string[] = []
  readonly #autoApplied = new Map<string, AutoApplyReport>()

  constructor(readonly options: ProposalSinkOptions) {}

  /** What the session's result says of them. */
  resultFields(): Record<string, unknown> {
    return {
      proposal_ids: this.proposalIds,
      ...(this.options.autoApply ? { auto_apply: [...this.#autoApplied.values()] } : {}),
    }
  }

  async propose(toolName: string, input: ProposalInput): Promise<ProposalOutcome> {
    const o = this.options
    const changeset = changesetSchema.parse(input.changeset)
    const key = `${toolName}:${input.key ?? sha256Hex(canonicalJson({ title: input.title, changeset })).slice(0, 32)}`
    const { proposal, created } = await o.attempts.upsertProposal({
      sessionId: o.session.id,
      organisationId: o.session.organisation_id,
      agentType: o.agentType,
      idempotencyKey: key,
      title: input.title,
      summary: input.summary,
      changeset,
    })
    if (!this.proposalIds.includes(proposal.id)) this.proposalIds.push(proposal.id)
    // Applied before it is announced, so the one proposal_created event says how it ended. A restarted
    // attempt gets the stored proposal back: applied stays applied, pending (the last attempt died before
    // applying) is applied now.
    let applied: AutoApplyResult | undefined
    if (o.autoApply) {
      applied = await autoApplyProposal(
        { db: o.db, claims: o.claims, logger: o.logger, signal: o.signal },
        proposal,
      )
      o.metrics.autoApply.inc({ ...o.labels, outcome: applied.outcome })
      o.logger.info(
        { proposal_id: proposal.id, outcome: applied.outcome, status: applied.status },
        applied.applied ? 'proposal auto-applied' : 'proposal not auto-applied',
      )
    }
    if (created || !o.announced.has(proposal.id)) {
      o.announced.add(proposal.id)
      await o.emit({
        type: 'proposal_created',
        data: {
          proposal_id: proposal.id,
          title: proposal.title,
          summary: proposal.summary ?? '',
          change_count: changeset.operations.length,
          auto_applied: applied?.applied ?? false,
        },
      })
    }
    const outcome: ProposalOutcome = {
      proposalId: proposal.id,
      created,
      title: proposal.title,
      changeCount: changeset.operations.length,
      status: applied?.status ?? proposal.status,
      ...(applied ? { autoApply: applied } : {}),
    }
    if (applied) this.#autoApplied.set(proposal.id, autoApplyReport({ ...outcome, autoApply: applied }))
    return outcome
  }
}
