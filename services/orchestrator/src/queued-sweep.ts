import type { JetStreamClient, JetStreamManager } from '@nats-io/jetstream'
import { headers as natsHeaders } from '@nats-io/transport-node'
import {
  type PipelineTopology,
  type SessionRow,
  type SessionStore,
  TRACEPARENT_HEADER,
  workItemSchema,
} from '@psa/agent-pipeline'
import { childTraceContext, formatTraceparent, type Logger, withLogContext } from '@psa/config'
import { sql } from '@psa/db'
import type { AgentTypeName } from '@psa/proto'

export interface QueuedSweepDeps {
  store: SessionStore
  js: JetStreamClient
  jsm: JetStreamManager
  topology: PipelineTopology
  logger: Logger
  /** A session queued longer than this is checked for its work item. */
  olderThanMs: number
  /** How often to sweep (0: never; tests call `sweepOnce`). */
  intervalMs: number
  /** Sessions checked per sweep, oldest first. */
  batch?: number
  /** Messages scanned per agent type per sweep (a bound for very deep queues). */
  maxScan?: number
}

export interface SweepResult {
  checked: number
  requeued: string[]
}

type Candidate = Pick<
  SessionRow,
  'id' | 'organisation_id' | 'user_id' | 'agent_type' | 'request' | 'context' | 'auto_apply'
> &
  Pick<SessionRow, 'parent_session_id' | 'queued_at'>

/**
 * Finds committed sessions that are `queued` with no work item in JetStream, and queues their work again.
 *
 * The orchestrator publishes a session's work inside its admission transaction; if that commit stalls past
 * the workers' patience (a paused database), a worker gives up on the message while the session goes on to
 * commit, and nothing would ever run it: it would stay queued forever, holding the user's in-flight slots.
 * The sweep looks at sessions queued for longer than `olderThanMs`, reads which of them the requests stream
 * still holds (a work-queue stream keeps a message until a worker acknowledges it), and re-publishes the
 * rest. One orchestrator sweeps at a time (a Postgres advisory lock), and a worker that gets a session twice
 * runs it once (the claim is fenced), so a sweep can never duplicate work.
 */
export class QueuedSessionSweep {
  #timer: NodeJS.Timeout | undefined
  #running: Promise<SweepResult> | undefined

  constructor(private readonly deps: QueuedSweepDeps) {}

  start(): void {
    if (this.deps.intervalMs <= 0 || this.#timer) return
    this.#timer = setInterval(() => {
      if (this.#running) return
      void this.sweepOnce().catch((err: unknown) =>
        this.deps.logger.warn({ err }, 'queued-session sweep failed; trying again next time'),
      )
    }, this.deps.intervalMs)
    this.#timer.unref()
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer)
    this.#timer = undefined
    await this.#running?.catch(() => {})
  }

  sweepOnce(): Promise<SweepResult> {
    this.#running ??= this.#sweep().finally(() => {
      this.#running = undefined
    })
    return this.#running
  }

  async #sweep(): Promise<SweepResult> {
    const { store, topology } = this.deps
    return store.db.asService(async (tx) => {
      const lock = await sql<{ locked: boolean }>`
        select pg_try_advisory_xact_lock(hashtextextended(${`psa-queued-sweep:${topology.namespace}`}, 0)) as locked
      `.execute(tx)
      if (!lock.rows[0]?.locked) return { checked: 0, requeued: [] }
      const candidates = (await tx
        .selectFrom('agent_sessions')
        .select([
          'id',
          'organisation_id',
          'user_id',
          'agent_type',
          'request',
          'context',
          'auto_apply',
          'parent_session_id',
          'queued_at',
        ])
        .where('status', '=', 'queued')
        .where('queued_at', '<', sql<Date>`now() - make_interval(secs => ${this.deps.olderThanMs / 1000})`)
        .orderBy('queued_at')
        .limit(this.deps.batch ?? 200)
        .execute()) as Candidate[]
      const requeued: string[] = []
      const byType = Map.groupBy(candidates, (c) => c.agent_type as AgentTypeName)
      for (const [type, sessions] of byType) {
        const queued = await this.#queuedSessionIds(type)
        if (queued === undefined) continue
        for (const session of sessions) {
          if (queued.has(session.id)) continue
          await this.#requeue(session)
          requeued.push(session.id)
        }
      }
      return { checked: candidates.length, requeued }
    })
  }

  /** Session ids of the type's work items still in the stream; undefined if the scan hit its bound. */
  async #queuedSessionIds(type: AgentTypeName): Promise<Set<string> | undefined> {
    const { jsm, topology } = this.deps
    const subject = topology.requestSubject(type)
    const ids = new Set<string>()
    let seq = 0
    for (let scanned = 0; scanned < (this.deps.maxScan ?? 10_000); scanned++) {
      // NATS 2.9+: the first message on the subject at or after seq.
      const msg = await jsm.streams.getMessage(topology.requestsStream, {
        seq: seq + 1,
        next_by_subj: subject,
      } as unknown as { seq: number })
      if (!msg) return ids
      seq = msg.seq
      try {
        ids.add(workItemSchema.shape.session_id.parse((msg.json() as { session_id?: unknown }).session_id))
      } catch {
        // Not a work item: the worker terminates it; nothing to match here.
      }
    }
    this.deps.logger.warn({ agent_type: type }, 'queued-session sweep: queue too deep to scan; skipped')
    return undefined
  }

  async #requeue(session: Candidate): Promise<void> {
    const { js, topology, logger } = this.deps
    const item = workItemSchema.parse({
      v: 1,
      session_id: session.id,
      organisation_id: session.organisation_id,
      user_id: session.user_id,
      agent_type: session.agent_type,
      request: session.request,
      context: session.context ?? {},
      auto_apply: session.auto_apply,
      parent_session_id: session.parent_session_id,
      submitted_at: session.queued_at.toISOString(),
    })
    const h = natsHeaders()
    h.set(TRACEPARENT_HEADER, formatTraceparent(childTraceContext(undefined)))
    // A fresh message id: the original one may still be inside the de-duplication window.
    await js.publish(topology.requestSubject(session.agent_type as AgentTypeName), JSON.stringify(item), {
      msgID: `${session.id}:requeued:${Date.now()}`,
      headers: h,
    })
    withLogContext({ session_id: session.id }, () =>
      logger.warn(
        { agent_type: session.agent_type, queued_at: session.queued_at.toISOString() },
        'queued session had no work item in the queue (its admission commit outlasted the workers): queued it again',
      ),
    )
  }
}
