import type { SessionRow } from '@psa/agent-pipeline'
import { type AgentTool, type AgentToolContext, defineTool, type ToolResult } from '@psa/agent-runtime'
import { AppError } from '@psa/errors'
import { isTerminalStatus } from '@psa/proto'
import { z } from 'zod'
import { type ChildOutcome, SPECIALIST_LABELS, SPECIALISTS, type Specialist } from './child-outcome.js'
import { type ChildSessions, claimsOf } from './child-sessions.js'
import type { DelegationMetrics } from './metrics.js'

export const DELEGATE_TOOL = 'delegate_to_agent'

/** The same bound SubmitRequest applies to a request's context. */
const MAX_CONTEXT_BYTES = 64 * 1024

export const DELEGATE_DESCRIPTION =
  'Delegate one step to a specialist agent as a child session and wait for it to finish. Returns its status, final answer, structured result, the proposals it created and, for a plan, the hours per role it proposes. Steps run one at a time; pass what earlier steps returned into the next request.'

export const delegateInputSchema = z.object({
  agent_type: z
    .enum(SPECIALISTS)
    .describe('The specialist: project_management (plans, status), resourcing (staffing), quotes (pricing)'),
  request: z
    .string()
    .trim()
    .min(1)
    .max(20_000)
    .describe('What the specialist should do, in plain words with every figure it needs'),
  // A loose object rather than a record: a record publishes `propertyNames`, which not every provider's
  // schema dialect takes.
  context: z
    .looseObject({})
    .optional()
    .describe(
      'Structured context for the specialist (e.g. {"client_id": "..."}); merged over this request’s own context',
    ),
  step: z
    .number()
    .int()
    .min(1)
    .max(50)
    .describe(
      'Number of this delegation within the request (1, 2, 3...). The same step is the same delegation: a restarted request gets the existing child back. Use a new step to retry a failed one.',
    ),
})
export type DelegateInput = z.infer<typeof delegateInputSchema>

/** The attempt's stop reason, as the runtime words its abort reason ("attempt stopped: <kind>"). */
function stopKind(signal: AbortSignal): string | undefined {
  const reason: unknown = signal.reason
  const message = reason instanceof Error ? reason.message : typeof reason === 'string' ? reason : ''
  return /attempt stopped: (\w+)/.exec(message)?.[1]
}

function describeOutcome(outcome: ChildOutcome): string {
  const label = SPECIALIST_LABELS[outcome.agent_type]
  const proposals = outcome.proposals.map((p) => `"${p.title}"`).join(', ')
  const what =
    outcome.status === 'completed'
      ? proposals
        ? `completed and proposed ${proposals}`
        : 'completed without proposals'
      : outcome.status === 'failed'
        ? `failed: ${outcome.error?.message ?? 'no reason given'}`
        : `was ${outcome.status}${outcome.error ? `: ${outcome.error.message}` : ''}`
  return `Step ${outcome.step}: the ${label} agent ${what}${outcome.reattached ? ' (re-attached)' : ''}`
}

export interface DelegateToolDeps {
  children: ChildSessions
  metrics?: DelegationMetrics
}

/**
 * The parent stopped while its child ran. A user cancel or a timeout ends the parent for good, so its child's
 * work is no longer wanted and is cancelled too. A shutdown, a transient failure or a newer attempt means
 * the parent will run again and re-attach: the child keeps going.
 */
async function stopChild(deps: DelegateToolDeps, ctx: AgentToolContext, child: SessionRow): Promise<void> {
  const kind = stopKind(ctx.signal)
  try {
    const parent = await deps.children.read(ctx.session.id)
    const cancelled =
      kind === 'cancel' || Boolean(parent?.cancel_requested_at) || parent?.status === 'cancelled'
    if (!cancelled && kind !== 'timeout') {
      ctx.logger.info(
        { child_session_id: child.id, stop: kind ?? 'unknown' },
        'the orchestrator attempt stopped; its child keeps running for the next attempt',
      )
      return
    }
    const reason = cancelled
      ? `The orchestrator request was cancelled${parent?.cancel_reason ? `: ${parent.cancel_reason}` : ''}`
      : 'The orchestrator request ran out of time'
    const how = await deps.children.cancel(child.id, claimsOf(ctx.session), reason.slice(0, 500))
    ctx.logger.info({ child_session_id: child.id, stop: kind, cancel: how }, 'cancelled the child session')
  } catch (err) {
    ctx.logger.warn({ err, child_session_id: child.id }, 'could not cancel the child session')
  }
}

/**
 * `delegate_to_agent`: hands one step to a specialist as a child session and waits for its outcome. The
 * child's id is derived from the parent's id, the step and the specialist, so a redelivered parent
 * re-attaches to the child its previous attempt created instead of queueing the work twice.
 */
export function createDelegateTool(deps: DelegateToolDeps): AgentTool<typeof delegateInputSchema> {
  return defineTool({
    name: DELEGATE_TOOL,
    description: DELEGATE_DESCRIPTION,
    inputSchema: delegateInputSchema,
    run: async (input, ctx): Promise<ToolResult> => {
      const agentType: Specialist = input.agent_type
      const context = { ...ctx.session.context, ...input.context }
      if (Buffer.byteLength(JSON.stringify(context)) > MAX_CONTEXT_BYTES) {
        throw new AppError('VALIDATION_FAILED', 'The context for the specialist is larger than 64 KiB', {
          details: { issues: [{ field: 'context', message: 'must be at most 64 KiB as JSON' }] },
        })
      }
      const began = performance.now()
      const { session, created } = await deps.children.attach(ctx.session, {
        id: ctx.id('delegate', String(input.step), agentType),
        agentType,
        request: input.request,
        context,
      })
      const fields = { child_session_id: session.id, agent_type: agentType, step: input.step }
      // Watchers of the parent see the delegation and where to follow it; the specialist counts as involved.
      ctx.involve(agentType)
      await ctx.emit({
        type: 'child_session',
        data: { child_session_id: session.id, agent_type: agentType, status: session.status },
      })
      ctx.logger.info(
        { ...fields, status: session.status },
        created ? 'delegated to a specialist' : 're-attached to the child session of an earlier attempt',
      )
      const reattached = String(!created)
      let ended: SessionRow
      try {
        ended = isTerminalStatus(session.status)
          ? session
          : await deps.children.waitForEnd(session.id, ctx.signal)
      } catch (err) {
        if (ctx.signal.aborted) {
          deps.metrics?.delegations.inc({ agent_type: agentType, outcome: 'stopped', reattached })
          await stopChild(deps, ctx, session)
        }
        throw err
      }
      deps.metrics?.delegations.inc({ agent_type: agentType, outcome: ended.status, reattached })
      deps.metrics?.delegationSeconds.observe({ agent_type: agentType }, (performance.now() - began) / 1000)
      if (ended.status !== session.status) {
        await ctx.emit({
          type: 'child_session',
          data: { child_session_id: ended.id, agent_type: agentType, status: ended.status },
        })
      }
      const outcome = await deps.children.outcome(input.step, ended, claimsOf(ctx.session), !created)
      ctx.logger.info({ ...fields, status: outcome.status }, 'the child session finished')
      return { summary: describeOutcome(outcome), ...outcome } as unknown as ToolResult
    },
  })
}
