// Test-only: the whole agent pipeline in one process on the demo data. The orchestrator's gRPC server and
// its embedded orchestrator agent, plus the three specialists' real workers (their agent definitions and
// offline playbooks, from each service's testing export), on a private NATS namespace of the run's test
// database (which holds the demo data).
import { Metadata, type ServiceError } from '@grpc/grpc-js'
import { OfflineModel } from '@psa/agent-models'
import { fromProtoEvent, type SessionEventEnvelope, type SessionRow } from '@psa/agent-pipeline'
import { projectAgent, projectPlaybook } from '@psa/agent-project/testing'
import { quotesAgent, quotesPlaybook } from '@psa/agent-quotes/testing'
import { resourcingAgent, resourcingPlaybook } from '@psa/agent-resourcing/testing'
import { type AgentWorker, type AgentWorkerDeps, createAgentWorker } from '@psa/agent-runtime'
import type { Logger } from '@psa/config'
import { demoUser } from '@psa/demo-data'
import { createMetricsRegistry } from '@psa/lifecycle'
import {
  AgentRequest,
  type AgentResponse,
  type AgentServiceClient,
  type AgentTypeName,
  agentTypeToProto,
  CancelSessionRequest,
  type SessionEvent,
  type SessionStatusName,
  StreamSessionEventsRequest,
} from '@psa/proto'
import { createTestAuth, type TestAuth, testDatabaseUrl } from '@psa/test-kit'
import type { OrchestratorEnv } from '../env.js'
import type { Orchestrator } from '../server.js'
import { startTestOrchestrator } from '../testing/test-orchestrator.js'
import type { Specialist } from './child-outcome.js'
import { createOrchestratorAgentWorker } from './worker.js'

export const ADMIN = demoUser('admin@northwind.example')

export const SPECIALIST_DEFINITIONS = {
  project_management: { agent: projectAgent, playbook: projectPlaybook },
  resourcing: { agent: resourcingAgent, playbook: resourcingPlaybook },
  quotes: { agent: quotesAgent, playbook: quotesPlaybook },
} as const

/** One offline model for the specialists, as an agent service process would share it. */
export function specialistModel(): OfflineModel {
  return new OfflineModel({
    playbooks: Object.fromEntries(Object.entries(SPECIALIST_DEFINITIONS).map(([t, d]) => [t, d.playbook])),
  })
}

type ProcessorTuning = NonNullable<AgentWorkerDeps['processor']>

export interface AgentStack {
  env: OrchestratorEnv
  server: Orchestrator
  client: AgentServiceClient
  auth: TestAuth
  logger: Logger
  orchestratorAgent: AgentWorker
  /** Submits a request as the demo admin over gRPC; resolves with its session id. */
  submit(request: string, type?: AgentTypeName, context?: Record<string, unknown>): Promise<string>
  cancel(sessionId: string, reason?: string): Promise<AgentResponse>
  /** Every event of the session over StreamSessionEvents, until its terminal one. */
  events(sessionId: string): Promise<SessionEventEnvelope[]>
  session(sessionId: string): Promise<SessionRow>
  waitFor(sessionId: string, statuses: SessionStatusName[], timeoutMs?: number): Promise<SessionRow>
  /** The session's children, oldest first. */
  children(parentId: string): Promise<SessionRow[]>
  /** Replaces a specialist's worker, e.g. with a tool delay that keeps its sessions running. */
  setSpecialist(type: Specialist, processor?: ProcessorTuning): Promise<void>
  /**
   * Stops the orchestrator agent at once (running requests are handed back) and starts a new one, with
   * setting overrides (e.g. a short ORCHESTRATOR_AGENT_TIMEOUT_MS).
   */
  restartOrchestratorAgent(overrides?: Partial<OrchestratorEnv>): Promise<void>
  close(): Promise<void>
}

export async function startAgentStack(tag: string): Promise<AgentStack> {
  const auth = await createTestAuth()
  let started: Awaited<ReturnType<typeof startTestOrchestrator>>
  try {
    started = await startTestOrchestrator({
      databaseUrl: testDatabaseUrl(),
      supabaseUrl: auth.supabaseUrl,
      tag,
      env: {
        DATABASE_POOL_MAX: '12',
        // Other test files use the same demo admin at the same time.
        MAX_IN_FLIGHT_PER_USER: '200',
        CANCEL_WAIT_MS: '5000',
        ORCHESTRATOR_CHILD_POLL_MS: '250',
      },
    })
  } catch (err) {
    await auth.close()
    throw err
  }
  const { orchestrator: server, client, env, logger } = started
  const model = specialistModel()
  const specialists = new Map<Specialist, AgentWorker>()
  const startSpecialist = (type: Specialist, processor: ProcessorTuning = {}) => {
    const worker = createAgentWorker({
      agent: SPECIALIST_DEFINITIONS[type].agent,
      model,
      nc: server.nats.nc,
      js: server.nats.js,
      jsm: server.nats.jsm,
      db: server.db,
      topology: server.topology,
      logger: logger.child({ component: type }),
      registry: createMetricsRegistry(`test-${type}`),
      concurrency: 2,
      timeoutMs: 30_000,
      maxTurns: 10,
      pullExpiresMs: 1_000,
      processor,
    })
    worker.start()
    specialists.set(type, worker)
  }
  for (const type of Object.keys(SPECIALIST_DEFINITIONS) as Specialist[]) startSpecialist(type)
  const startOrchestratorAgent = (overrides: Partial<OrchestratorEnv> = {}) => {
    const worker = createOrchestratorAgentWorker({
      env: { ...env, ...overrides },
      nats: server.nats,
      db: server.db,
      topology: server.topology,
      logger,
      registry: createMetricsRegistry('test-orchestrator-agent'),
      tuning: { pullExpiresMs: 1_000 },
    })
    worker.start()
    return worker
  }

  const metadata = async () => {
    const m = new Metadata()
    m.set('authorization', `Bearer ${await auth.token(ADMIN)}`)
    return m
  }
  const unary = <Req, Res>(
    fn: (req: Req, md: Metadata, cb: (err: ServiceError | null, res: Res) => void) => unknown,
    request: Req,
  ) =>
    metadata().then(
      (md) =>
        new Promise<Res>((resolve, reject) =>
          fn.call(client, request, md, (e, r) => (e ? reject(e) : resolve(r))),
        ),
    )
  const readRow = (sessionId: string) =>
    server.db.asService((tx) =>
      tx.selectFrom('agent_sessions').selectAll().where('id', '=', sessionId).executeTakeFirstOrThrow(),
    )

  const stack: AgentStack = {
    env,
    server,
    client,
    auth,
    logger,
    orchestratorAgent: startOrchestratorAgent(),
    async submit(request, type = 'orchestrator', context = {}) {
      const response = await unary<AgentRequest, AgentResponse>(
        client.submitRequest,
        AgentRequest.fromPartial({ type: agentTypeToProto(type), request, context }),
      )
      return response.sessionId
    },
    cancel: (sessionId, reason = 'Cancelled by the test') =>
      unary(client.cancelSession, CancelSessionRequest.fromPartial({ sessionId, reason })),
    async events(sessionId) {
      const call = client.streamSessionEvents(
        StreamSessionEventsRequest.fromPartial({ sessionId, afterSeq: 0 }),
        await metadata(),
        { deadline: Date.now() + 20_000 },
      )
      return new Promise((resolve, reject) => {
        const events: SessionEventEnvelope[] = []
        call.on('data', (event: SessionEvent) => events.push(fromProtoEvent(event)))
        call.on('error', reject)
        call.on('end', () => resolve(events))
      })
    },
    session: readRow,
    async waitFor(sessionId, statuses, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs
      for (;;) {
        const row = await readRow(sessionId)
        if (statuses.includes(row.status as SessionStatusName)) return row
        if (Date.now() > deadline)
          throw new Error(`session ${sessionId} is ${row.status}, not ${statuses.join('/')}`)
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    },
    children: (parentId) =>
      server.db.asService((tx) =>
        tx
          .selectFrom('agent_sessions')
          .selectAll()
          .where('parent_session_id', '=', parentId)
          .orderBy('created_at')
          .execute(),
      ),
    async setSpecialist(type, processor) {
      await specialists.get(type)?.stop(2_000)
      startSpecialist(type, processor)
    },
    async restartOrchestratorAgent(overrides) {
      await stack.orchestratorAgent.stop(0)
      stack.orchestratorAgent = startOrchestratorAgent(overrides)
    },
    async close() {
      await Promise.all([
        stack.orchestratorAgent.stop(2_000),
        ...[...specialists.values()].map((w) => w.stop(2_000)),
      ])
      await started.close()
      await auth.close()
    },
  }
  return stack
}
