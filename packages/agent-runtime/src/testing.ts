// Test support for the agent runtime and the agent services: a private pipeline (NATS namespace) per test
// file, a submit that admits a request exactly as the orchestrator does (the pipeline's `admit`), and waits
// on the session row. Databases, tenants and users come from @psa/test-kit. Not used in production code.
import { randomUUID } from 'node:crypto'
import { headers as natsHeaders } from '@nats-io/transport-node'
import { OfflineModel, type Playbook } from '@psa/agent-models'
import {
  admissionEvent,
  admit,
  deleteTopology,
  ensureTopology,
  isTerminalEvent,
  PipelineTopology,
  pipelineEnvSchema,
  publishSessionEvent,
  type SessionEventEnvelope,
  type SessionRow,
  SessionStore,
  TRACEPARENT_HEADER,
  type WorkItem,
  workItemSchema,
} from '@psa/agent-pipeline'
import { childTraceContext, formatTraceparent, type Logger } from '@psa/config'
import type { Database } from '@psa/db'
import { createMetricsRegistry, type Registry } from '@psa/lifecycle'
import { connectNats, type NatsClients, natsEnvSchema } from '@psa/nats'
import type { AgentTypeName, SessionStatusName } from '@psa/proto'
import {
  FaultProxy,
  openTestDatabase,
  silentLogger,
  type TenantUser,
  testDatabaseUrl,
  testNamespace,
} from '@psa/test-kit'
import { readStreamEvents } from './event-recovery.js'
import type { AgentDefinition } from './session-processor.js'
import { type AgentWorker, type AgentWorkerDeps, createAgentWorker } from './worker.js'

export interface PipelineHarness {
  namespace: string
  topology: PipelineTopology
  nats: NatsClients
  db: Database
  store: SessionStore
  logger: Logger
  registry: Registry
  /** What a worker on this pipeline is given (createAgentWorker's connections, logger and registry). */
  workerDeps: Pick<AgentWorkerDeps, 'nc' | 'js' | 'jsm' | 'db' | 'topology' | 'logger' | 'registry'>
  /** Submits a request as `user` exactly like the orchestrator: row, queued event (seq 1), work item. */
  submit(
    user: TenantUser,
    input: {
      agentType: AgentTypeName
      request: string
      context?: Record<string, unknown>
      id?: string
      /** Ask for the proposals to be applied at once (RLS refuses it below manager, as in production). */
      autoApply?: boolean
      /** Fields that make the published work item differ from its session row (odd or forged messages). */
      workItem?: Partial<WorkItem>
    },
  ): Promise<SessionRow>
  /** Publishes raw bytes to an agent type's work subject (invalid messages). */
  publishRaw(agentType: AgentTypeName, body: string, msgId?: string): Promise<void>
  /** Broadcasts a cancel, as the orchestrator does for a running session. */
  cancel(user: TenantUser, sessionId: string, reason?: string): Promise<void>
  /** Polls the session row until its status is one of `statuses`. */
  waitForStatus(sessionId: string, statuses: SessionStatusName[], timeoutMs?: number): Promise<SessionRow>
  session(sessionId: string): Promise<SessionRow | undefined>
  /** Every event of the session in JetStream, in order. */
  streamEvents(sessionId: string): Promise<SessionEventEnvelope[]>
  /** Every event of the session persisted to agent_logs, in order. */
  loggedEvents(sessionId: string): Promise<(SessionEventEnvelope & { attempt: number })[]>
  /** Messages still pending (unacknowledged or not yet delivered) on the agent type's consumer. */
  pending(agentType: AgentTypeName): Promise<{ waiting: number; unacked: number; redelivered: number }>
  close(): Promise<void>
}

export async function startPipelineHarness(
  options: { namespace?: string; ackWaitMs?: number; maxDeliver?: number; databaseUrl?: string } = {},
): Promise<PipelineHarness> {
  const logger = silentLogger()
  const namespace = options.namespace ?? testNamespace()
  const topology = new PipelineTopology(
    pipelineEnvSchema.parse({
      PIPELINE_NAMESPACE: namespace,
      PIPELINE_ACK_WAIT_MS: String(options.ackWaitMs ?? 30_000),
      PIPELINE_MAX_DELIVER: String(options.maxDeliver ?? 5),
    }),
  )
  const nats = await connectNats({ env: natsEnvSchema.parse({}), name: `test-${namespace}`, logger })
  await ensureTopology(nats.jsm, topology)
  const db = openTestDatabase(options.databaseUrl ? { url: options.databaseUrl } : {})
  const store = new SessionStore(db)
  const registry = createMetricsRegistry(`test-${namespace}`)

  const harness: PipelineHarness = {
    namespace,
    topology,
    nats,
    db,
    store,
    logger,
    registry,
    workerDeps: { nc: nats.nc, js: nats.js, jsm: nats.jsm, db, topology, logger, registry },
    async submit(user, input) {
      const trace = childTraceContext()
      const request = {
        id: input.id ?? randomUUID(),
        organisationId: user.organisationId,
        agentType: input.agentType,
        request: input.request,
        context: input.context ?? {},
        autoApply: input.autoApply ?? false,
        trace,
        userEmail: user.email,
      }
      const deps = { store, js: nats.js, jsm: nats.jsm, topology, logger }
      if (!input.workItem) {
        // Exactly the orchestrator's admission: row as the user (RLS), seq 1, work item, in one transaction.
        return (await admit(deps, user.claims, request, { maxInFlight: 1_000 })).session
      }
      // A work item that says something its row does not (an odd or forged message): admitted the same
      // way, but the published message carries the overrides.
      const { session } = await store.submit(
        user.claims,
        {
          id: request.id,
          organisation_id: request.organisationId,
          agent_type: request.agentType,
          request: request.request,
          context: request.context,
          auto_apply: request.autoApply,
          trace_id: trace.traceId,
        },
        {
          maxInFlight: 1_000,
          enqueue: async (row) => {
            const event = admissionEvent(row, 1)
            await publishSessionEvent(nats.js, topology, event)
            const item = workItemSchema.parse({
              v: 1,
              session_id: row.id,
              organisation_id: row.organisation_id,
              user_id: row.user_id,
              user_email: user.email,
              agent_type: row.agent_type,
              request: row.request,
              context: request.context,
              auto_apply: row.auto_apply,
              parent_session_id: row.parent_session_id,
              submitted_at: row.queued_at.toISOString(),
              ...input.workItem,
            })
            const h = natsHeaders()
            h.set(TRACEPARENT_HEADER, formatTraceparent(trace))
            await nats.js.publish(topology.requestSubject(input.agentType), JSON.stringify(item), {
              msgID: row.id,
              headers: h,
            })
            return event
          },
        },
      )
      return session
    },
    async publishRaw(agentType, body, msgId) {
      await nats.js.publish(topology.requestSubject(agentType), body, msgId ? { msgID: msgId } : {})
    },
    async cancel(user, sessionId, reason = 'Cancelled by the test') {
      await store.cancel(user.claims, sessionId, reason)
      nats.nc.publish(topology.cancelSubject, JSON.stringify({ session_id: sessionId, reason }))
      await nats.nc.flush()
    },
    async waitForStatus(sessionId, statuses, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const row = await harness.session(sessionId)
        if (row && statuses.includes(row.status as SessionStatusName)) return row
        if (Date.now() > deadline) {
          throw new Error(`session ${sessionId} is ${row?.status ?? 'missing'}, not ${statuses.join('/')}`)
        }
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    },
    session(sessionId) {
      return db.asService((tx) =>
        tx.selectFrom('agent_sessions').selectAll().where('id', '=', sessionId).executeTakeFirst(),
      )
    },
    streamEvents(sessionId) {
      return readStreamEvents({ js: nats.js, jsm: nats.jsm, topology }, sessionId)
    },
    async loggedEvents(sessionId) {
      const rows = await db.asService((tx) =>
        tx
          .selectFrom('agent_logs')
          .select(['data', 'attempt'])
          .where('session_id', '=', sessionId)
          .orderBy('seq')
          .execute(),
      )
      return rows.map((r) => ({ ...(r.data as unknown as SessionEventEnvelope), attempt: r.attempt }))
    },
    async pending(agentType) {
      const info = await nats.jsm.consumers.info(topology.requestsStream, topology.consumerName(agentType))
      return { waiting: info.num_pending, unacked: info.num_ack_pending, redelivered: info.num_redelivered }
    },
    async close() {
      await deleteTopology(nats.jsm, topology).catch(() => {})
      await nats.close()
      await db.close()
    },
  }
  return harness
}

export interface AgentRun {
  session: SessionRow
  /** Every event of the session, in order, ending with its terminal status change. */
  events: SessionEventEnvelope[]
}

export interface AgentHarness extends PipelineHarness {
  worker: AgentWorker
  /** Submits the request, waits for the session to finish and for its terminal event. */
  run(
    user: TenantUser,
    request: string,
    context?: Record<string, unknown>,
    options?: { autoApply?: boolean },
  ): Promise<AgentRun>
  /** Stops the worker, deletes the sessions this harness created, closes connections. */
  stop(): Promise<void>
}

/**
 * An agent's worker on a private pipeline, driven by the offline model with the agent's playbook (or by the
 * `model` given, e.g. a real provider's pointed at a loopback fake): what an agent service's end-to-end
 * tests need.
 */
export async function startAgentHarness(options: {
  agent: AgentDefinition
  playbook?: Playbook
  model?: AgentWorkerDeps['model']
  worker?: Partial<
    Omit<AgentWorkerDeps, 'agent' | 'model' | 'nc' | 'js' | 'jsm' | 'db' | 'topology' | 'logger' | 'registry'>
  >
  pipeline?: Parameters<typeof startPipelineHarness>[0]
}): Promise<AgentHarness> {
  const h = await startPipelineHarness(options.pipeline)
  const model =
    options.model ??
    new OfflineModel(options.playbook ? { playbooks: { [options.agent.agentType]: options.playbook } } : {})
  const worker = createAgentWorker({
    agent: options.agent,
    model,
    ...h.workerDeps,
    concurrency: 2,
    timeoutMs: 30_000,
    maxTurns: 10,
    pullExpiresMs: 1_000,
    ...options.worker,
  })
  worker.start()
  const created: string[] = []
  const submit = h.submit
  return {
    ...h,
    worker,
    async submit(user, input) {
      const session = await submit(user, input)
      created.push(session.id)
      return session
    },
    async run(user, request, context, runOptions) {
      const session = await submit(user, {
        agentType: options.agent.agentType,
        request,
        ...(context && { context }),
        ...(runOptions?.autoApply !== undefined && { autoApply: runOptions.autoApply }),
      })
      created.push(session.id)
      const done = await h.waitForStatus(session.id, ['completed', 'failed', 'cancelled'], 30_000)
      const deadline = Date.now() + 10_000
      for (;;) {
        const events = await h.streamEvents(session.id)
        const last = events.at(-1)
        if (last && isTerminalEvent(last)) return { session: done, events }
        if (Date.now() > deadline) throw new Error(`session ${session.id} has no terminal event`)
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    },
    async stop() {
      await worker.stop(2_000)
      if (created.length > 0) {
        await h.db.asService((tx) => tx.deleteFrom('agent_sessions').where('id', 'in', created).execute())
      }
      await h.close()
    },
  }
}

/**
 * The worker's Postgres round trips per session (counted by a FaultProxy on its connections only: submits and the test's
 * own reads go around it), for the agent's `request` run `sessions` times one after another as `user`, after
 * `warmUp` runs (default 3) that open the pool's connections and prepare their statements. A session is counted once its message is
 * acknowledged (after the outcome and the last events were written).
 */
export async function workerRoundTrips(options: {
  agent: AgentDefinition
  playbook: Playbook
  user: TenantUser
  request: string
  sessions: number
  warmUp?: number
}): Promise<number[]> {
  const warmUp = options.warmUp ?? 3
  const h = await startPipelineHarness()
  const target = new URL(testDatabaseUrl())
  const counter = await FaultProxy.start({ host: target.hostname, port: Number(target.port || 5432) })
  const db = openTestDatabase({ url: counter.url(testDatabaseUrl()) })
  const worker = createAgentWorker({
    agent: options.agent,
    model: new OfflineModel({ playbooks: { [options.agent.agentType]: options.playbook } }),
    ...h.workerDeps,
    db,
    concurrency: 1,
    timeoutMs: 30_000,
    maxTurns: 10,
    pullExpiresMs: 1_000,
  })
  worker.start()
  const created: string[] = []
  try {
    const turns: number[] = []
    for (let i = 0; i < warmUp + options.sessions; i++) {
      const before = counter.turns
      const session = await h.submit(options.user, {
        agentType: options.agent.agentType,
        request: options.request,
      })
      created.push(session.id)
      await h.waitForStatus(session.id, ['completed', 'failed', 'cancelled'], 30_000)
      for (let waited = 0; (await h.pending(options.agent.agentType)).unacked > 0; waited += 20) {
        if (waited > 10_000) throw new Error(`session ${session.id} was never acknowledged`)
        await new Promise((resolve) => setTimeout(resolve, 20))
      }
      if (i >= warmUp) turns.push(counter.turns - before)
    }
    return turns
  } finally {
    await worker.stop(2_000)
    await db.close()
    await counter.close()
    if (created.length > 0) {
      await h.db.asService((tx) => tx.deleteFrom('agent_sessions').where('id', 'in', created).execute())
    }
    await h.close()
  }
}
