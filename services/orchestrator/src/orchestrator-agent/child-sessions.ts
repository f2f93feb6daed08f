import type { NatsConnection } from '@nats-io/transport-node'
import {
  type AdmissionDeps,
  admitChild,
  cancelSession,
  isTerminalEvent,
  type SessionRow,
  sessionEventSchema,
} from '@psa/agent-pipeline'
import type { SessionInfo } from '@psa/agent-runtime'
import { type Changeset, changesetSchema } from '@psa/changesets'
import { childTraceContext, currentLogContext, type TraceContext } from '@psa/config'
import type { JwtClaims } from '@psa/db'
import { AppError } from '@psa/errors'
import { isTerminalStatus } from '@psa/proto'
import type { ChildOutcome, ChildProposal, Specialist } from './child-outcome.js'
import { summarisePlannedWork } from './planned-work.js'

export interface ChildSessionsDeps extends AdmissionDeps {
  nc: NatsConnection
  /** How often a waiting delegation re-reads the child's row (live events are the fast path). */
  pollMs: number
}

export interface NewChild {
  id: string
  agentType: Specialist
  request: string
  context: Record<string, unknown>
}

const MAX_TEXT_CHARS = 6_000
const TRACE_ID = /^[0-9a-f]{32}$/
const SPAN_ID = /^[0-9a-f]{16}$/

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** The claims of the user a session acts for: reads on their behalf go through RLS. */
export function claimsOf(session: Pick<SessionInfo, 'userId' | 'userEmail'>): JwtClaims {
  return {
    sub: session.userId,
    role: 'authenticated',
    ...(session.userEmail ? { email: session.userEmail } : {}),
  }
}

/** The trace the parent's attempt runs in (its log context), else the trace stored on its row. */
function parentTrace(parent: SessionRow): TraceContext | null {
  const fields = currentLogContext()
  const traceId = typeof fields.trace_id === 'string' ? fields.trace_id : parent.trace_id
  if (!traceId || !TRACE_ID.test(traceId)) return null
  const spanId = typeof fields.span_id === 'string' && SPAN_ID.test(fields.span_id) ? fields.span_id : null
  // Without the attempt's span, the child hangs off a fresh span of the same trace.
  return { traceId, spanId: spanId ?? childTraceContext().spanId, sampled: true }
}

/**
 * The orchestrator agent's side of child sessions: creating one (or finding the one a previous attempt of the
 * parent created), waiting for it to finish, cancelling it, and reading its outcome. Children are admitted
 * with the pipeline's `admitChild` (the same admission event and work item as SubmitRequest), by the
 * service on the parent's behalf, outside the user's in-flight limit.
 */
export class ChildSessions {
  constructor(private readonly deps: ChildSessionsDeps) {}

  /** A session row as the service sees it. */
  read(sessionId: string): Promise<SessionRow | undefined> {
    return this.deps.store.db.asService((tx) =>
      tx.selectFrom('agent_sessions').selectAll().where('id', '=', sessionId).executeTakeFirst(),
    )
  }

  #ownChild(row: SessionRow, parent: SessionInfo): SessionRow {
    if (row.parent_session_id !== parent.id) {
      throw new AppError(
        'ALREADY_EXISTS',
        'A session with this id exists and is not a child of this request',
        {
          details: { session_id: row.id },
        },
      )
    }
    return row
  }

  /**
   * Queues the child, unless it exists: then it is returned as it is (queued, running or finished), so a
   * restarted parent attempt re-attaches instead of delegating the same step twice.
   */
  async attach(parent: SessionInfo, child: NewChild): Promise<{ session: SessionRow; created: boolean }> {
    const existing = await this.read(child.id)
    if (existing) return { session: this.#ownChild(existing, parent), created: false }
    const parentRow = await this.read(parent.id)
    if (!parentRow) {
      throw new AppError('NOT_FOUND', 'The orchestrator session no longer exists', {
        details: { session_id: parent.id },
      })
    }
    if (parentRow.status !== 'processing') {
      throw new AppError(
        'INVALID_STATE',
        `The orchestrator session is ${parentRow.status}; it cannot delegate`,
        {
          details: { session_id: parent.id, status: parentRow.status },
        },
      )
    }
    const admission = await admitChild(this.deps, parentRow, {
      id: child.id,
      agentType: child.agentType,
      request: child.request,
      context: child.context,
      // The parent's admission checked the user's role for auto-apply; its children inherit the choice.
      autoApply: parentRow.auto_apply,
      trace: childTraceContext(parentTrace(parentRow)),
      ...(parent.userEmail ? { userEmail: parent.userEmail } : {}),
    })
    const { session, created } = admission
    return { session: this.#ownChild(session, parent), created }
  }

  /**
   * Resolves with the child's row once it has finished. Its terminal event (core NATS, at most once) wakes
   * the wait at once; the row is re-read every `pollMs` regardless, so a missed event only costs time.
   * Rejects when `signal` aborts.
   */
  async waitForEnd(sessionId: string, signal: AbortSignal): Promise<SessionRow> {
    let notified = false
    let wake: (() => void) | undefined
    const subscription = this.deps.nc.subscribe(this.deps.topology.eventSubject(sessionId), {
      callback: (err, msg) => {
        if (err) return
        let terminal = false
        try {
          const body = sessionEventSchema.safeParse(msg.json())
          terminal = body.success && isTerminalEvent(body.data)
        } catch {
          return
        }
        if (!terminal) return
        notified = true
        wake?.()
      },
    })
    try {
      for (;;) {
        signal.throwIfAborted()
        notified = false
        const row = await this.read(sessionId)
        if (!row) {
          throw new AppError('NOT_FOUND', 'The delegated session no longer exists', {
            details: { session_id: sessionId },
          })
        }
        if (isTerminalStatus(row.status)) return row
        if (notified) continue
        await new Promise<void>((resolve) => {
          const done = () => {
            clearTimeout(timer)
            signal.removeEventListener('abort', done)
            wake = undefined
            resolve()
          }
          const timer = setTimeout(done, this.deps.pollMs)
          wake = done
          signal.addEventListener('abort', done, { once: true })
        })
      }
    } finally {
      subscription.unsubscribe()
    }
  }

  /**
   * Cancels a child the way CancelSession does: a queued one at once (its `cancelled` event is written here,
   * as no worker will), a running one through the cancel broadcast (its worker stops it; the request is also
   * recorded on the row for a worker that misses the broadcast). A child that already finished stays as is.
   */
  async cancel(
    sessionId: string,
    claims: JwtClaims,
    reason: string,
  ): Promise<'cancelled' | 'requested' | 'finished'> {
    try {
      const outcome = await cancelSession(this.deps, claims, sessionId, reason)
      return outcome.kind
    } catch (err) {
      if (err instanceof AppError && err.code === 'INVALID_STATE') return 'finished'
      throw err
    }
  }

  /** What the child did: status, answer, structured result, proposals and the work a plan proposes. */
  async outcome(
    step: number,
    session: SessionRow,
    claims: JwtClaims,
    reattached: boolean,
  ): Promise<ChildOutcome> {
    const rows = await this.deps.store.db.asUser(claims, (tx) =>
      tx
        .selectFrom('proposals')
        .select(['id', 'title', 'summary', 'status', 'changeset'])
        .where('session_id', '=', session.id)
        .orderBy('created_at')
        .orderBy('id')
        .execute(),
    )
    const changesets: Changeset[] = []
    const proposals: ChildProposal[] = rows.map((p) => {
      const changeset = changesetSchema.safeParse(p.changeset)
      if (changeset.success) changesets.push(changeset.data)
      return {
        proposal_id: p.id,
        title: p.title,
        summary: p.summary ?? '',
        status: p.status,
        change_count: changeset.success ? changeset.data.operations.length : 0,
      }
    })
    const roleIds = [
      ...new Set(
        changesets.flatMap((c) =>
          c.operations.flatMap((op) =>
            op.op === 'insert' && op.table === 'tasks' && typeof op.values.role_id === 'string'
              ? [op.values.role_id]
              : [],
          ),
        ),
      ),
    ]
    const roles =
      roleIds.length === 0
        ? []
        : await this.deps.store.db.asUser(claims, (tx) =>
            tx.selectFrom('roles').select(['id', 'name']).where('id', 'in', roleIds).execute(),
          )
    const result = isPlainObject(session.result) ? session.result : null
    const { summary, ...structured } = result ?? {}
    const error = isPlainObject(session.error) ? session.error : null
    return {
      step,
      child_session_id: session.id,
      agent_type: session.agent_type as Specialist,
      status: session.status,
      request: session.request,
      reattached,
      text: typeof summary === 'string' ? summary.slice(0, MAX_TEXT_CHARS) : '',
      result: result ? structured : null,
      error: error
        ? {
            code: typeof error.code === 'string' ? error.code : 'INTERNAL',
            message: typeof error.message === 'string' ? error.message : 'The request failed',
          }
        : null,
      proposals,
      planned_work: summarisePlannedWork(changesets, new Map(roles.map((r) => [r.id, r.name]))),
      processing_time_ms: session.processing_time_ms ?? 0,
    }
  }
}
