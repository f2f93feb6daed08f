import { z } from 'zod'
import { plannedWorkSchema } from './planned-work.js'

/** The agents the orchestrator delegates to. */
export const SPECIALISTS = ['project_management', 'resourcing', 'quotes'] as const
export type Specialist = (typeof SPECIALISTS)[number]

export const SPECIALIST_LABELS: Record<Specialist, string> = {
  project_management: 'project management',
  resourcing: 'resourcing',
  quotes: 'quotes',
}

export const childProposalSchema = z.object({
  proposal_id: z.string(),
  title: z.string(),
  summary: z.string(),
  status: z.string(),
  change_count: z.number().int().nonnegative(),
})
export type ChildProposal = z.infer<typeof childProposalSchema>

/**
 * What a delegation returns to the orchestrator's model: the child session's outcome, its proposals and,
 * for a plan, the work it proposes (hours per role), so the next step can be built from it. The same
 * object is the tool's output on the parent's event stream.
 */
export const childOutcomeSchema = z.object({
  step: z.number().int().positive(),
  child_session_id: z.uuid(),
  agent_type: z.enum(SPECIALISTS),
  status: z.enum(['queued', 'processing', 'completed', 'failed', 'cancelled']),
  /** The request the child worked on (on a re-attach, the one first delegated). */
  request: z.string(),
  /** True when the child already existed: a restarted attempt of the parent found it. */
  reattached: z.boolean(),
  /** The child's final answer (empty unless completed). */
  text: z.string(),
  /** The child's structured result without its text. */
  result: z.record(z.string(), z.unknown()).nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  proposals: z.array(childProposalSchema),
  planned_work: plannedWorkSchema.nullable(),
  processing_time_ms: z.number().int().nonnegative(),
})
export type ChildOutcome = z.infer<typeof childOutcomeSchema>
