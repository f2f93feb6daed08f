import { setTimeout as sleep } from 'node:timers/promises'
import type { SessionEventBody } from '@psa/agent-pipeline'
import type { Changeset, ProposalStatus } from '@psa/changesets'
import type { Logger } from '@psa/config'
import type { Database, Tx } from '@psa/db'
import { AppError } from '@psa/errors'
import type { AgentTypeName } from '@psa/proto'
import { type InvokableTool, type JSONSchema, type JSONValue, tool } from '@strands-agents/sdk'
import { z } from 'zod'
import type { AutoApplyResult } from './auto-apply.js'
import { isTransient, TransientFailure } from './failures.js'

/** What a tool knows about the request it works for. */
export interface SessionInfo {
  id: string
  organisationId: string
  userId: string
  userEmail: string | undefined
  agentType: AgentTypeName
  request: string
  context: Record<string, unknown>
  /**
   * The request asked for its proposals to be applied at once (the session row and the work item both say
   * so; the orchestrator accepts it from managers and above). `propose` then applies each proposal as the
   * user, whose role is checked again at that moment.
   */
  autoApply: boolean
  parentSessionId: string | null
  attempt: number
  /** The calendar day the request was queued, in the organisation's time zone (never the worker's clock). */
  today: string
  /** The organisation's currency (ISO 4217). */
  currency: string
}

export interface ProposalInput {
  title: string
  summary: string
  changeset: Changeset
  /**
   * Distinguishes two different proposals one tool makes in one session. Defaults to a hash of the title and
   * changeset, so proposing the same thing again (on a restarted attempt) returns the first proposal.
   */
  key?: string
}

export interface ProposalOutcome {
  proposalId: string
  /** False when this session already held the proposal (a restarted attempt reached the same step). */
  created: boolean
  title: string
  changeCount: number
  /**
   * The proposal's status after the call: `pending` unless auto-apply ran (`applied`, or `failed` when the
   * changes could not be applied) or a person decided it while an earlier attempt of this request ran.
   */
  status: ProposalStatus
  /** Present when the request asked for auto-apply: whether the proposal was applied and, if not, why. */
  autoApply?: AutoApplyResult
}

/**
 * One proposal's auto-apply as the model and the session result see it. The runtime adds these to a tool's
 * result under `auto_apply` (unless the tool set that key itself) and to the session's result, so the answer
 * can say "applied" or "proposed, but could not apply automatically because …" whatever the tool returns.
 */
export type AutoApplyReport = {
  proposal_id: string
  title: string
  applied: boolean
  status: ProposalStatus
  message: string
  error?: { code: string; message: string; details?: JSONValue }
}

export function autoApplyReport(outcome: ProposalOutcome & { autoApply: AutoApplyResult }): AutoApplyReport {
  const { applied, status, message, error } = outcome.autoApply
  return {
    proposal_id: outcome.proposalId,
    title: outcome.title,
    applied,
    status,
    message,
    ...(error ? { error } : {}),
  }
}

/** Passed to every tool call. */
export interface AgentToolContext {
  readonly session: SessionInfo
  readonly db: Database
  readonly logger: Logger
  /** Aborted on user cancel, timeout, shutdown or a transient failure: long work should stop. */
  readonly signal: AbortSignal
  /** The tool being called (used for proposal idempotency keys). */
  readonly toolName: string
  /** Runs `fn` as the submitting user: RLS bounds what the agent can read and change. */
  asUser<T>(fn: (tx: Tx) => Promise<T>): Promise<T>
  /** A stable id for a row this session proposes, from what the row is (same inputs, same id). */
  id(...parts: string[]): string
  /** Stores a proposal once per session and announces it on the session's event stream. */
  propose(input: ProposalInput): Promise<ProposalOutcome>
  /**
   * Adds an event to the session's stream, in order with the agent's own (through the attempt's single
   * writer). Tools may report delegated sessions and progress notes; lifecycle events stay the runtime's.
   */
  emit(event: Extract<SessionEventBody, { type: 'child_session' | 'reasoning' }>): Promise<void>
  /** Records that another agent worked on this request (its name joins the session's `agents_involved`). */
  involve(agentName: string): void
}

/** Every tool result carries a one-line summary for the event stream; the rest is data for the model. */
export type ToolResult = { summary: string } & { [key: string]: JSONValue }

/** A domain tool: a zod input schema (published to the model as JSON schema) and a function. */
export interface AgentTool<S extends z.ZodType = z.ZodType> {
  name: string
  description: string
  inputSchema: S
  run(input: z.output<S>, ctx: AgentToolContext): Promise<ToolResult>
}

/** Declares a tool with its input type inferred from the schema. */
export function defineTool<S extends z.ZodType>(definition: AgentTool<S>): AgentTool<S> {
  return definition
}

/** What a tool context is built from for one attempt; the runtime provides it. */
export interface ToolContextFactory {
  /** A plain object (bindTools copies it to watch the proposals a call makes). */
  forTool(toolName: string): AgentToolContext
  /** Test-only pause after each call, before its result returns (see AGENT_TOOL_DELAY_MS). */
  delayMs?: number
  /** A tool hit something that will likely recover: the attempt stops and the request is retried. */
  reportTransient(err: unknown): void
}

/**
 * How an answer should end about the proposal(s) a tool made: what auto-apply did with them (its own
 * words), or, without auto-apply, that nothing changes until a person applies them. For playbooks.
 */
export function proposalNote(toolOutput: unknown): string {
  const entries = (toolOutput as { auto_apply?: { message?: unknown }[] } | null)?.auto_apply
  const messages = Array.isArray(entries)
    ? entries.map((e) => e.message).filter((m) => typeof m === 'string')
    : []
  return messages.length > 0 ? messages.join(' ') : 'Nothing changes until someone applies the proposal.'
}

/** The tool's result with what auto-apply did to the proposals it made, for the model and the event stream. */
function withAutoApply(result: ToolResult, reports: Map<string, AutoApplyReport>): ToolResult {
  if (reports.size === 0) return result
  const entries = [...reports.values()]
  const note = entries
    .map((r) =>
      r.applied ? 'applied automatically' : `not applied automatically: ${r.error?.code ?? r.status}`,
    )
    .join('; ')
  return {
    ...result,
    summary: `${result.summary} (${note})`,
    ...('auto_apply' in result ? {} : { auto_apply: entries as unknown as JSONValue }),
  }
}

function describeToolError(err: unknown): string {
  if (err instanceof AppError) return `${err.code}: ${err.message}`
  if (err instanceof z.ZodError) {
    return `VALIDATION_FAILED: ${err.issues.map((i) => `${i.path.join('.') || 'input'}: ${i.message}`).join('; ')}`
  }
  return 'INTERNAL: the tool failed unexpectedly'
}

/** The JSON schema a tool publishes to the model: its zod schema converted as the Strands SDK does it. */
export function publishedInputSchema(schema: z.ZodType): JSONSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema) as Record<string, unknown>
  return rest as JSONSchema
}

/**
 * `publishedInputSchema`, converted once per schema: tools are bound for every attempt, and converting each
 * tool's schema again was a few percent of a worker's CPU per session.
 */
const publishedSchemas = new WeakMap<z.ZodType, JSONSchema>()
function cachedInputSchema(schema: z.ZodType): JSONSchema {
  let published = publishedSchemas.get(schema)
  if (!published) {
    published = publishedInputSchema(schema)
    publishedSchemas.set(schema, published)
  }
  return published
}

/**
 * Wraps domain tools as Strands tools bound to one attempt. A tool's own refusal (bad input, not found,
 * forbidden) becomes an error result the model reads and can act on; an infrastructure failure stops the
 * whole attempt (the request is retried), because carrying on would give the user a wrong answer.
 * The input is parsed here rather than by the SDK's zod tool, so a model that sends the wrong type reads
 * "VALIDATION_FAILED: <field>: <what is wrong>" like any other refusal, not a dump of zod's issue list.
 */
export function bindTools(
  tools: readonly AgentTool[],
  factory: ToolContextFactory,
): InvokableTool<unknown, JSONValue>[] {
  return tools.map((definition) =>
    tool({
      name: definition.name,
      description: definition.description,
      inputSchema: cachedInputSchema(definition.inputSchema),
      callback: async (raw: unknown): Promise<JSONValue> => {
        const base = factory.forTool(definition.name)
        const reports = new Map<string, AutoApplyReport>()
        const ctx: AgentToolContext = {
          ...base,
          propose: async (proposal) => {
            const outcome = await base.propose(proposal)
            if (outcome.autoApply)
              reports.set(outcome.proposalId, autoApplyReport({ ...outcome, autoApply: outcome.autoApply }))
            return outcome
          },
        }
        try {
          const input = definition.inputSchema.parse(raw)
          const result = await definition.run(input, ctx)
          if (factory.delayMs) await sleep(factory.delayMs, undefined, { signal: ctx.signal })
          return withAutoApply(result, reports)
        } catch (err) {
          if (isTransient(err)) {
            const failure = new TransientFailure(`${definition.name} could not reach a service it needs`, {
              cause: err,
            })
            factory.reportTransient(failure)
            throw failure
          }
          // Stopped (cancel, timeout, shutdown): the runtime reports why; the tool just ends.
          if (ctx.signal.aborted) throw new Error('CANCELLED: the request was stopped')
          if (!(err instanceof AppError) && !(err instanceof z.ZodError)) {
            ctx.logger.error({ err, tool: definition.name }, 'tool failed unexpectedly')
          }
          throw new Error(describeToolError(err))
        }
      },
    }),
  ) as InvokableTool<unknown, JSONValue>[]
}
