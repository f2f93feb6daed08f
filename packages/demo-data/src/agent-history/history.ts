// The machinery of the demo's agent history: sessions with their event logs in the pipeline's envelope
// shape (agent_logs.data is {session_id, seq, time, agent, type, data}), proposals carrying a version-1
// changeset whose inserts name their own ids, and the look-ups the scenarios share.

import { describeEvent, type SessionEventBody } from '@psa/agent-pipeline'
import type { AgentType, Json, SessionStatus } from '@psa/db'
import type { BuiltOrganisation } from '../build-organisation.js'
import type { StaffedSlot } from '../build-projects.js'
import type { OrgContext } from '../context.js'
import type { AgentLogRow, AgentSessionRow, PersonRow, ProjectRow, ProposalRow } from '../types.js'

export function plus(iso: string, ms: number): string {
  return new Date(Date.parse(iso) + ms).toISOString()
}

export interface Step {
  /** Milliseconds after the session started. */
  at: number
  event: SessionEventBody
  agent?: string
  attempt?: number
}

interface SessionSpec {
  key: string
  user: string
  agentType: AgentType
  request: string
  context: { [key: string]: Json }
  status: SessionStatus
  queuedAt: string
  /** Milliseconds spent queued, then processing. */
  waitMs: number
  durationMs: number
  result?: Json
  error?: { code: string; message: string }
  parent?: AgentSessionRow
  agentsInvolved?: string[]
  attempts?: number
  tokens: [input: number, output: number]
  cancelReason?: string
  steps: Step[]
}

type Operation =
  | { op: 'insert'; table: string; values: { [key: string]: Json } }
  | { op: 'update'; table: string; id: string; expected_version: number; set: { [key: string]: Json } }
  | { op: 'delete'; table: string; id: string; expected_version: number }

/** A changeset inserting rows (without organisation_id, which is the proposal's) and its exact revert. */
export function insertChangeset(rows: Array<[table: string, row: object]>): {
  changeset: Json
  revert: Json
} {
  const operations: Operation[] = rows.map(([table, row]) => {
    const { organisation_id: _org, ...values } = row as { organisation_id?: string }
    return { op: 'insert', table, values: values as { [key: string]: Json } }
  })
  const revert: Operation[] = rows
    .map(
      ([table, row]): Operation => ({
        op: 'delete',
        table,
        id: (row as { id: string }).id,
        expected_version: 1,
      }),
    )
    .reverse()
  return { changeset: { version: 1, operations }, revert: { version: 1, operations: revert } }
}

export class History {
  constructor(readonly ctx: OrgContext) {}

  session(spec: SessionSpec): AgentSessionRow {
    const { ctx } = this
    const id = ctx.id(`agent-session/${spec.key}`)
    const started = plus(spec.queuedAt, spec.waitMs)
    const finished = plus(started, spec.durationMs)
    const done = spec.status !== 'queued' && spec.status !== 'processing'
    const row: AgentSessionRow = {
      id,
      organisation_id: ctx.orgId,
      user_id: spec.user,
      agent_type: spec.agentType,
      request: spec.request,
      context: spec.context,
      status: spec.status,
      result: spec.result ?? null,
      error: spec.error ?? null,
      agents_involved: spec.agentsInvolved ?? [spec.agentType],
      processing_time_ms: done ? spec.durationMs : null,
      parent_session_id: spec.parent?.id ?? null,
      auto_apply: false,
      attempts: spec.attempts ?? 1,
      input_tokens: spec.tokens[0],
      output_tokens: spec.tokens[1],
      trace_id: ctx.id(`trace/${spec.key}`).replaceAll('-', ''),
      queued_at: spec.queuedAt,
      started_at: started,
      completed_at: done ? finished : null,
      cancel_requested_at: spec.cancelReason ? plus(finished, -400) : null,
      cancel_reason: spec.cancelReason ?? null,
      created_at: spec.queuedAt,
    }
    ctx.tables.agent_sessions.push(row)
    const steps: Step[] = [
      {
        at: -spec.waitMs,
        event: {
          type: 'status_changed',
          data: { status: 'queued', message: 'Queued', queue_position: 1, attempt: 0 },
        },
      },
      {
        at: 0,
        event: {
          type: 'status_changed',
          data: { status: 'processing', message: 'Processing', queue_position: 0, attempt: 1 },
        },
      },
      ...spec.steps,
    ]
    if (spec.status === 'completed') {
      steps.push({
        at: spec.durationMs,
        event: {
          type: 'final_result',
          data: {
            result: spec.result ?? null,
            text: (spec.result as { summary?: string } | null)?.summary ?? 'Done.',
            usage: {
              input_tokens: spec.tokens[0],
              output_tokens: spec.tokens[1],
              total_tokens: spec.tokens[0] + spec.tokens[1],
            },
            agents_involved: spec.agentsInvolved ?? [spec.agentType],
            processing_time_ms: spec.durationMs,
          },
        },
      })
    }
    steps.push({
      at: spec.durationMs,
      attempt: spec.attempts ?? 1,
      event: {
        type: 'status_changed',
        data: {
          status: spec.status,
          message: spec.error?.message ?? '',
          queue_position: 0,
          attempt: spec.attempts ?? 1,
        },
      },
    })
    steps.forEach((step, i) => {
      const time = plus(started, step.at)
      const agent = step.agent ?? spec.agentType
      const log: AgentLogRow = {
        id: ctx.id(`agent-log/${id}/${i + 1}`),
        organisation_id: ctx.orgId,
        session_id: id,
        seq: i + 1,
        attempt: step.attempt ?? 1,
        event_type: step.event.type,
        agent_name: agent,
        message: describeEvent(step.event),
        data: { session_id: id, seq: i + 1, time, agent, ...step.event } as Json,
        created_at: time,
      }
      ctx.tables.agent_logs.push(log)
    })
    return row
  }

  proposal(
    session: AgentSessionRow,
    key: string,
    spec: {
      title: string
      summary: string
      changeset: Json
      revert: Json
      status: 'pending' | 'applied' | 'rejected'
      decidedBy?: string
      decidedAfterMs?: number
    },
  ): ProposalRow {
    const created = session.completed_at ?? session.queued_at
    const decided = spec.decidedAfterMs === undefined ? null : plus(created, spec.decidedAfterMs)
    const row: ProposalRow = {
      id: this.ctx.id(`proposal/${key}`),
      organisation_id: this.ctx.orgId,
      session_id: session.id,
      agent_type: session.agent_type,
      idempotency_key: key,
      title: spec.title,
      summary: spec.summary,
      status: spec.status,
      changeset: spec.changeset,
      revert_changeset: spec.status === 'applied' ? spec.revert : null,
      applied_by: spec.status === 'applied' ? (spec.decidedBy ?? null) : null,
      applied_at: spec.status === 'applied' ? decided : null,
      rejected_by: spec.status === 'rejected' ? (spec.decidedBy ?? null) : null,
      rejected_at: spec.status === 'rejected' ? decided : null,
      reverted_by: null,
      reverted_at: null,
      error: null,
      created_at: created,
    }
    this.ctx.tables.proposals.push(row)
    return row
  }
}

/** Free hours a person has in every week of [from, to] (weeks as offsets from the anchor), all bookings counted. */
export function freeHours(b: BuiltOrganisation, person: PersonRow, from: number, to: number): number {
  let free = Number.POSITIVE_INFINITY
  for (let w = from; w <= to; w++) {
    const monday = b.ctx.monday(w)
    const friday = b.ctx.friday(w)
    const booked = b.ctx.tables.allocations
      .filter((a) => a.person_id === person.id && a.starts_on <= friday && monday <= a.ends_on)
      .reduce((sum, a) => sum + a.hours_per_week, 0)
    free = Math.min(free, person.weekly_capacity_hours - booked)
  }
  return free
}

export function slotOf(
  b: BuiltOrganisation,
  code: string,
  predicate: (s: StaffedSlot) => boolean,
): StaffedSlot {
  const slot = b.projects.slots.find((s) => s.spec.code === code && predicate(s))
  if (!slot) throw new Error(`no matching slot on ${code}`)
  return slot
}

export function project(b: BuiltOrganisation, code: string): ProjectRow {
  const row = b.projects.projects.get(code)
  if (!row) throw new Error(`unknown project ${code}`)
  return row
}

export function money(minor: number): string {
  return `$${Math.round(minor / 100).toLocaleString('en-US')}`
}

export function addProposalEvent(
  h: History,
  session: AgentSessionRow,
  proposal: ProposalRow,
  at: number,
): void {
  const operations = (proposal.changeset as { operations?: unknown[] }).operations ?? []
  appendSteps(h, session, [
    {
      at,
      event: {
        type: 'proposal_created',
        data: {
          proposal_id: proposal.id,
          title: proposal.title,
          summary: proposal.summary,
          change_count: operations.length,
          auto_applied: false,
        },
      },
    },
  ])
}

/** Inserts steps into an already written session log, keeping the sequence in time order. */
export function appendSteps(h: History, session: AgentSessionRow, steps: Step[]): void {
  const { ctx } = h
  const logs = ctx.tables.agent_logs.filter((l) => l.session_id === session.id)
  const started = session.started_at ?? session.queued_at
  const added = steps.map((step) => {
    const time = plus(started, step.at)
    const agent = step.agent ?? session.agent_type
    return { time, agent, event: step.event, attempt: step.attempt ?? session.attempts }
  })
  const merged = [
    ...logs.map((l) => ({
      time: l.created_at,
      row: l as AgentLogRow | null,
      add: null as (typeof added)[number] | null,
    })),
    ...added.map((a) => ({ time: a.time, row: null, add: a })),
  ]
  // Stable: the final status event stays last among events at the same instant.
  merged.sort((x, y) =>
    x.time < y.time ? -1 : x.time > y.time ? 1 : x.add && !y.add ? -1 : !x.add && y.add ? 1 : 0,
  )
  ctx.tables.agent_logs = ctx.tables.agent_logs.filter((l) => l.session_id !== session.id)
  merged.forEach((m, i) => {
    const seq = i + 1
    if (m.row) {
      const data = { ...(m.row.data as { [key: string]: Json }), seq }
      ctx.tables.agent_logs.push({ ...m.row, id: ctx.id(`agent-log/${session.id}/${seq}`), seq, data })
    } else if (m.add) {
      ctx.tables.agent_logs.push({
        id: ctx.id(`agent-log/${session.id}/${seq}`),
        organisation_id: ctx.orgId,
        session_id: session.id,
        seq,
        attempt: m.add.attempt,
        event_type: m.add.event.type,
        agent_name: m.add.agent,
        message: describeEvent(m.add.event),
        data: { session_id: session.id, seq, time: m.time, agent: m.add.agent, ...m.add.event } as Json,
        created_at: m.time,
      })
    }
  })
}

/** What every scenario works with: the organisation built so far, the history being written, its people. */
export interface Scenario {
  b: BuiltOrganisation
  h: History
  ctx: OrgContext
  tables: OrgContext['tables']
  manager: string
  admin: string
  owner: string
}
