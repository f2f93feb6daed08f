import { randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { fileURLToPath } from 'node:url'
import { credentials, Metadata, type ServiceError } from '@grpc/grpc-js'
import {
  deleteTopology,
  fromProtoEvent,
  PipelineTopology,
  pipelineEnvSchema,
  type SessionEventEnvelope,
} from '@psa/agent-pipeline'
import { type AgentWorker, createAgentWorker } from '@psa/agent-runtime'
import { childTraceContext, formatTraceparent } from '@psa/config'
import type { Database } from '@psa/db'
import { createMetricsRegistry } from '@psa/lifecycle'
import { connectNats, type NatsClients, natsEnvSchema } from '@psa/nats'
import {
  AgentRequest,
  type AgentResponse,
  AgentServiceClient,
  AgentType,
  GetSessionRequest,
  type SessionEvent,
  SessionStatus,
  StreamSessionEventsRequest,
} from '@psa/proto'
import {
  buildService,
  createTestAuth,
  openTestDatabase,
  type ServiceProcess,
  silentLogger,
  startServiceProcess,
  TEST_NATS_URL,
  type TestAuth,
  testNamespace,
} from '@psa/test-kit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Specialist } from './orchestrator-agent/child-outcome.js'
import { ADMIN, SPECIALIST_DEFINITIONS, specialistModel } from './orchestrator-agent/test-stack.js'

// The built service as its own process (what `npm start` runs): a SubmitRequest of type orchestrator goes
// through its gRPC API, its embedded orchestrator agent delegates to the specialists (their real workers,
// here in the test process), and SIGTERM stops it cleanly.
const serviceDir = fileURLToPath(new URL('..', import.meta.url))
const quiet = silentLogger('orchestrator-main-test')

let auth: TestAuth
let nats: NatsClients
let db: Database
let topology: PipelineTopology
let service: ServiceProcess
let client: AgentServiceClient
let opsPort: number
const specialists: AgentWorker[] = []

beforeAll(async () => {
  // The test runs the built service: build it (and what it references) first; a no-op when up to date.
  buildService(serviceDir)
  auth = await createTestAuth()
  const namespace = testNamespace('t_main')
  topology = new PipelineTopology(pipelineEnvSchema.parse({ PIPELINE_NAMESPACE: namespace }))
  service = startServiceProcess(serviceDir, {
    PIPELINE_NAMESPACE: namespace,
    SUPABASE_URL: auth.supabaseUrl,
    GRPC_PORT: '0',
    OPS_PORT: '0',
    HOST: '127.0.0.1',
    MAX_IN_FLIGHT_PER_USER: '200',
    ORCHESTRATOR_CHILD_POLL_MS: '250',
    ORCHESTRATOR_AGENT_DRAIN_TIMEOUT_MS: '2000',
    SHUTDOWN_TIMEOUT_MS: '10000',
  })
  const listening = await service.waitForLog('orchestrator listening')
  opsPort = (await service.waitForLog('ops server listening')).port as number
  await service.waitForLog('orchestrator agent started')
  client = new AgentServiceClient(`127.0.0.1:${listening.port as number}`, credentials.createInsecure())

  nats = await connectNats({
    env: natsEnvSchema.parse({ NATS_URL: TEST_NATS_URL }),
    name: 'orchestrator-main-test',
    logger: quiet,
  })
  db = openTestDatabase({ poolMax: 6 })
  const model = specialistModel()
  for (const type of Object.keys(SPECIALIST_DEFINITIONS) as Specialist[]) {
    const worker = createAgentWorker({
      agent: SPECIALIST_DEFINITIONS[type].agent,
      model,
      nc: nats.nc,
      js: nats.js,
      jsm: nats.jsm,
      db,
      topology,
      logger: quiet,
      registry: createMetricsRegistry(`test-${type}`),
      concurrency: 1,
      timeoutMs: 30_000,
      maxTurns: 10,
      pullExpiresMs: 1_000,
    })
    worker.start()
    specialists.push(worker)
  }
})

afterAll(async () => {
  client?.close()
  if (service && service.child.exitCode === null) {
    service.child.kill('SIGKILL')
    await once(service.child, 'exit')
  }
  await Promise.all(specialists.map((w) => w.stop(2_000)))
  if (nats) {
    await nats.jsm.streams
      .delete(`${topology.namespace.toUpperCase()}_AGENT_DEAD_LETTER_ADVISORIES`)
      .catch(() => {})
    await deleteTopology(nats.jsm, topology).catch(() => {})
    await nats.close()
  }
  await db?.close()
  await auth?.close()
})

async function metadata(extra: Record<string, string> = {}): Promise<Metadata> {
  const m = new Metadata()
  m.set('authorization', `Bearer ${await auth.token(ADMIN)}`)
  for (const [k, v] of Object.entries(extra)) m.set(k, v)
  return m
}

describe('orchestrator service process', () => {
  it('processes a SubmitRequest of type orchestrator end to end, then stops cleanly on SIGTERM', async () => {
    const trace = childTraceContext()
    const sessionId = randomUUID()
    const submitMetadata = await metadata({ traceparent: formatTraceparent(trace) })
    const submitted = await new Promise<AgentResponse>((resolve, reject) => {
      client.submitRequest(
        AgentRequest.fromPartial({
          sessionId,
          type: AgentType.AGENT_TYPE_ORCHESTRATOR,
          request:
            'Set up, staff and quote a 12-week website rebuild for Acme starting 5 Jan, budget $150k, at 30% margin',
        }),
        submitMetadata,
        (err: ServiceError | null, res: AgentResponse) => (err ? reject(err) : resolve(res)),
      )
    })
    expect(submitted).toMatchObject({ sessionId, status: SessionStatus.SESSION_STATUS_QUEUED })

    const stream = client.streamSessionEvents(
      StreamSessionEventsRequest.fromPartial({ sessionId, afterSeq: 0 }),
      await metadata(),
      { deadline: Date.now() + 30_000 },
    )
    const events = await new Promise<SessionEventEnvelope[]>((resolve, reject) => {
      const all: SessionEventEnvelope[] = []
      stream.on('data', (e: SessionEvent) => all.push(fromProtoEvent(e)))
      stream.on('error', reject)
      stream.on('end', () => resolve(all))
    })
    const last = events.at(-1)
    expect(last?.type === 'status_changed' && last.data.status).toBe('completed')
    const children = events.flatMap((e) =>
      e.type === 'tool_call_finished' && e.data.name === 'delegate_to_agent'
        ? [e.data.output as { child_session_id: string; agent_type: string }]
        : [],
    )
    expect(children.map((c) => c.agent_type)).toEqual(['project_management', 'resourcing', 'quotes'])

    const get = async (id: string) => {
      const md = await metadata()
      return new Promise<AgentResponse>((resolve, reject) =>
        client.getSession(GetSessionRequest.fromPartial({ sessionId: id }), md, (err, res) =>
          err ? reject(err) : resolve(res),
        ),
      )
    }
    const parent = await get(sessionId)
    expect(parent.status).toBe(SessionStatus.SESSION_STATUS_COMPLETED)
    expect(parent.result).toMatchObject({
      agents_involved: ['orchestrator', 'project_management', 'resourcing', 'quotes'],
      steps: children.map((c) => ({ child_session_id: c.child_session_id, status: 'completed' })),
    })
    for (const child of children) {
      const row = await get(child.child_session_id)
      expect(row).toMatchObject({
        parentSessionId: sessionId,
        status: SessionStatus.SESSION_STATUS_COMPLETED,
      })
    }
    // The trace the client started runs through the orchestrator agent's delegations.
    const delegatedLines = service.lines.filter((l) => l.msg === 'delegated to a specialist')
    expect(delegatedLines).toHaveLength(3)
    for (const line of delegatedLines)
      expect(line).toMatchObject({ trace_id: trace.traceId, session_id: sessionId })

    const metrics = await (await fetch(`http://127.0.0.1:${opsPort}/metrics`)).text()
    for (const type of ['project_management', 'resourcing', 'quotes']) {
      expect(metrics).toMatch(
        new RegExp(
          `psa_orchestrator_delegations_total\\{[^}]*agent_type="${type}",outcome="completed",reattached="false"[^}]*\\} 1`,
        ),
      )
    }
    expect(metrics).toMatch(
      /psa_agent_messages_total\{[^}]*agent_type="orchestrator"[^}]*reason="completed"[^}]*\} 1/,
    )

    service.child.kill('SIGTERM')
    const [code] = await once(service.child, 'exit')
    expect(code).toBe(0)
    const stopped = service.lines.find((l) => l.msg === 'shutdown complete')
    expect(stopped).toMatchObject({ exit_code: 0 })
  })
})
