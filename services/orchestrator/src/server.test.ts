import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { PassThrough } from 'node:stream'
import {
  type Client,
  credentials,
  loadPackageDefinition,
  makeClientConstructor,
  type ServiceError,
  status,
} from '@grpc/grpc-js'
import { loadSync } from '@grpc/proto-loader'
import { createLogger, formatTraceparent } from '@psa/config'
import { type AgentResponse, AgentType, SessionStatus } from '@psa/proto'
import { service as healthService } from 'grpc-health-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { fromGrpcError } from './grpc-errors.js'
import { type Harness, startHarness } from './testing/harness.js'

let h: Harness

beforeAll(async () => {
  h = await startHarness('srv', { CANCEL_WAIT_MS: '5000' })
})
afterAll(async () => {
  await h?.close()
})

type HealthClient = Client & {
  check(req: { service: string }, cb: (err: ServiceError | null, res: { status: string }) => void): void
}
const HealthClient = makeClientConstructor(healthService, 'grpc.health.v1.Health') as unknown as new (
  address: string,
  creds: ReturnType<typeof credentials.createInsecure>,
) => HealthClient

async function healthOf(port: number, service = ''): Promise<string> {
  const client = new HealthClient(`127.0.0.1:${port}`, credentials.createInsecure())
  try {
    return await new Promise((resolve, reject) =>
      client.check({ service }, (err, res) => (err ? reject(err) : resolve(res.status))),
    )
  } finally {
    client.close()
  }
}

/** Lists services through the standard reflection API (what grpcurl does). */
async function reflectedServices(port: number): Promise<string[]> {
  const root = join(dirname(createRequire(import.meta.url).resolve('@grpc/reflection')), '..', 'proto')
  const definition = loadSync('grpc/reflection/v1/reflection.proto', { includeDirs: [root], keepCase: true })
  const pkg = loadPackageDefinition(definition) as unknown as {
    grpc: { reflection: { v1: { ServerReflection: new (a: string, c: unknown) => Client } } }
  }
  const client = new pkg.grpc.reflection.v1.ServerReflection(
    `127.0.0.1:${port}`,
    credentials.createInsecure(),
  ) as Client & {
    ServerReflectionInfo(): NodeJS.ReadWriteStream & { write(m: object): boolean; end(): void }
  }
  try {
    return await new Promise((resolve, reject) => {
      const call = client.ServerReflectionInfo()
      call.on('data', (res: { list_services_response?: { service: { name: string }[] } }) => {
        resolve((res.list_services_response?.service ?? []).map((s) => s.name))
        call.end()
      })
      call.on('error', reject)
      call.write({ list_services: '' })
    })
  } finally {
    client.close()
  }
}

describe('gRPC server', () => {
  it('serves the standard health service, SERVING while Postgres and NATS are reachable', async () => {
    expect(await healthOf(h.orchestrator.port)).toBe('SERVING')
    expect(await healthOf(h.orchestrator.port, 'psa.v1.AgentService')).toBe('SERVING')
    const unknown = healthOf(h.orchestrator.port, 'psa.v1.Nothing')
    await expect(unknown).rejects.toMatchObject({ code: status.NOT_FOUND })
  })

  it('says NOT_SERVING (and refuses RPCs as UNAVAILABLE) when Postgres is unreachable', async () => {
    const broken = await h.startAnother({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere' })
    expect(await healthOf(broken.orchestrator.port)).toBe('NOT_SERVING')
    expect(await healthOf(broken.orchestrator.port, 'psa.v1.AgentService')).toBe('NOT_SERVING')
    const report = await broken.orchestrator.health.readiness()
    expect(report.checks.postgres?.ok).toBe(false)
    expect(report.checks.nats?.ok).toBe(true)
    const error = await new Promise<ServiceError>((resolve) =>
      h
        .as(h.tenants.alice)
        .then((metadata) =>
          broken.client.getSession({ sessionId: crypto.randomUUID() }, metadata, (err) =>
            resolve(err as ServiceError),
          ),
        ),
    )
    expect(error.code).toBe(status.UNAVAILABLE)
    expect(fromGrpcError(error).code).toBe('UNAVAILABLE')
    await broken.close()
  })

  it('lists psa.v1.AgentService and the health service through server reflection', async () => {
    const services = await reflectedServices(h.orchestrator.port)
    expect(services).toContain('psa.v1.AgentService')
    expect(services).toContain('grpc.health.v1.Health')
  })

  it('answers a cancel within the caller deadline even while it waits for the worker', async () => {
    const id = await h.submit(h.tenants.alice, { agentType: 'quotes' })
    const msg = await h.fetchWork('quotes')
    await h.orchestrator.store.attempts.start(id)
    const started = performance.now()
    const response = await h.call<AgentResponse>('cancelSession', { sessionId: id }, h.tenants.alice, {
      deadline: Date.now() + 800,
    })
    const took = performance.now() - started
    // No worker confirms here: the answer comes just before the deadline, not after CANCEL_WAIT_MS (5 s).
    expect(response.status).toBe(SessionStatus.SESSION_STATUS_PROCESSING)
    expect(took).toBeLessThan(800)
    await h.orchestrator.store.attempts.markCancelled(id, 1, 'Cancelled by user')
    msg?.ack()
    const expired = await h.callError('getSession', { sessionId: id }, h.tenants.alice, {
      deadline: Date.now() - 1,
    })
    expect(expired.error.code).toBe(status.DEADLINE_EXCEEDED)
  })

  it('exports its metrics and logs every line of an RPC with the trace, span and user', async () => {
    const lines: Record<string, unknown>[] = []
    const destination = new PassThrough()
    destination.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line))
    })
    const other = await h.startAnother(
      {},
      { logger: createLogger({ service: 'orchestrator', level: 'info', destination }) },
    )
    const traceparent = formatTraceparent({ traceId: 'c'.repeat(32), spanId: 'd'.repeat(16), sampled: true })
    const metadata = await h.as(h.tenants.bob, { traceparent })
    const response = await new Promise<AgentResponse>((resolve, reject) =>
      other.client.submitRequest(
        {
          type: AgentType.AGENT_TYPE_RESOURCING,
          request: 'Who can staff Acme?',
          context: undefined,
          sessionId: '',
          userId: '',
          autoApply: false,
          organisationId: '',
          parentSessionId: '',
        },
        metadata,
        (err, res) => (err ? reject(err) : resolve(res)),
      ),
    )
    await new Promise<void>((resolve) =>
      other.client.getSession({ sessionId: 'bad' }, metadata, () => resolve()),
    )
    await expect.poll(() => lines.filter((l) => l.rpc === 'GetSession').length).toBe(1)
    const traced = lines.filter((l) => l.trace_id === 'c'.repeat(32))
    expect(traced.length).toBeGreaterThanOrEqual(3)
    for (const line of traced) {
      expect(line.span_id).toMatch(/^[0-9a-f]{16}$/)
      expect(line.span_id).not.toBe('d'.repeat(16))
      expect(line.rpc).toBeDefined()
    }
    const queued = traced.find((l) => l.msg === 'request queued')
    expect(queued).toMatchObject({ user_id: h.tenants.bob.id, session_id: response.sessionId })
    expect(traced.find((l) => l.msg === 'rpc finished' && l.rpc === 'SubmitRequest')).toMatchObject({
      user_id: h.tenants.bob.id,
      grpc_code: 'OK',
    })
    expect(traced.find((l) => l.rpc === 'GetSession')).toMatchObject({
      grpc_code: 'INVALID_ARGUMENT',
      error_code: 'VALIDATION_FAILED',
    })
    expect(JSON.stringify(lines)).not.toContain(metadata.get('authorization')[0])

    const value = async (name: string, labels: Record<string, string>) => {
      const metric = (await other.orchestrator.registry.getMetricsAsJSON()).find((m) => m.name === name)
      const values = (metric?.values ?? []) as {
        labels: Record<string, unknown>
        value: number
        metricName?: string
      }[]
      return values.find(
        (v) => (v.metricName ?? name) === name && Object.entries(labels).every(([k, l]) => v.labels[k] === l),
      )?.value
    }
    expect(await value('psa_orchestrator_grpc_requests_total', { method: 'SubmitRequest', code: 'OK' })).toBe(
      1,
    )
    expect(
      await value('psa_orchestrator_grpc_requests_total', { method: 'GetSession', code: 'INVALID_ARGUMENT' }),
    ).toBe(1)
    const admissions = (await other.orchestrator.registry.getMetricsAsJSON()).find(
      (m) => m.name === 'psa_orchestrator_admission_duration_seconds',
    )
    expect(
      (
        (admissions?.values ?? []) as { metricName: string; labels: Record<string, unknown>; value: number }[]
      ).find(
        (v) => v.metricName === 'psa_orchestrator_admission_duration_seconds_count' && v.labels.code === 'OK',
      )?.value,
    ).toBe(1)
    await expect.poll(() => value('psa_orchestrator_queue_depth', { agent_type: 'resourcing' })).toBe(1)
    const text = await other.orchestrator.registry.metrics()
    for (const name of [
      'psa_orchestrator_events_streamed_total',
      'psa_orchestrator_event_delivery_lag_seconds',
      'psa_orchestrator_dead_letters_total',
      'psa_orchestrator_active_event_streams',
    ]) {
      expect(text).toContain(`# TYPE ${name}`)
    }
    await h.call('cancelSession', { sessionId: response.sessionId }, h.tenants.bob)
    await other.close()
  })

  it('on shutdown: NOT_SERVING, open streams end with UNAVAILABLE so clients resume elsewhere, new calls refused', async () => {
    const other = await h.startAnother({})
    const id = await h.submit(h.tenants.carol, { agentType: 'orchestrator' })
    const stream = other.client.streamSessionEvents(
      { sessionId: id, afterSeq: 0 },
      await h.as(h.tenants.carol),
    )
    const received: number[] = []
    stream.on('data', (e: { seq: number }) => received.push(e.seq))
    const outcome = new Promise<ServiceError>((resolve) => stream.on('error', resolve))
    await expect.poll(() => received).toEqual([1])
    const stopping = other.orchestrator.stopAccepting(2_000)
    const error = await outcome
    expect(error.code).toBe(status.UNAVAILABLE)
    expect(fromGrpcError(error).details).toEqual({ reason: 'shutting_down' })
    await stopping
    expect(other.orchestrator.hub.listenerCount).toBe(0)
    const carol = await h.as(h.tenants.carol)
    const refused = await new Promise<ServiceError>((resolve) =>
      other.client.getSession({ sessionId: id }, carol, { deadline: Date.now() + 1_000 }, (err) =>
        resolve(err as ServiceError),
      ),
    )
    expect([status.UNAVAILABLE, status.DEADLINE_EXCEEDED]).toContain(refused.code)
    await other.close()
    // The main server is unaffected.
    expect(await healthOf(h.orchestrator.port)).toBe('SERVING')
    await h.call('cancelSession', { sessionId: id }, h.tenants.carol)
  })
})
