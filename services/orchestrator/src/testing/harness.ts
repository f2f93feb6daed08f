import { randomBytes } from 'node:crypto'
import {
  type CallOptions,
  type ClientReadableStream,
  credentials,
  Metadata,
  type ServiceError,
} from '@grpc/grpc-js'
import type { Consumer, JsMsg } from '@nats-io/jetstream'
import { deleteTopology, PipelineTopology, SessionEventWriter } from '@psa/agent-pipeline'
import { createLogger, type Logger } from '@psa/config'
import type { AppError } from '@psa/errors'
import { connectNats } from '@psa/nats'
import {
  AgentRequest,
  AgentServiceClient,
  type AgentTypeName,
  agentTypeToProto,
  CancelSessionRequest,
  GetQueuePositionRequest,
  GetSessionRequest,
  ListSessionsRequest,
  type SessionEvent,
  StreamSessionEventsRequest,
} from '@psa/proto'
import { type OrchestratorEnv, parseOrchestratorEnv } from '../env.js'
import { fromGrpcError } from '../grpc-errors.js'
import { type Orchestrator, type OrchestratorOptions, startOrchestrator } from '../server.js'
import { createTenants, type TestTenants, type TestUser } from './fixtures.js'
import { createTestAuth, type TestAuth } from './test-auth.js'
import { createTestDatabase, type TestDatabase } from './test-database.js'

export interface StartedServer {
  orchestrator: Orchestrator
  client: AgentServiceClient
  env: OrchestratorEnv
  close(): Promise<void>
}

export interface Harness extends StartedServer {
  database: TestDatabase
  tenants: TestTenants
  auth: TestAuth
  logger: Logger
  /** Metadata with `authorization: Bearer <token>` for the user (none for null). */
  as(user: TestUser | null, extra?: Record<string, string>): Promise<Metadata>
  /** Calls a unary RPC; rejects with the ServiceError. */
  call<Res>(
    method: UnaryMethod,
    request: object,
    user: TestUser | Metadata | null,
    options?: Partial<CallOptions>,
  ): Promise<Res>
  /** Calls a unary RPC expected to fail; resolves with the error and its AppError form. */
  callError(
    method: UnaryMethod,
    request: object,
    user: TestUser | Metadata | null,
    options?: Partial<CallOptions>,
  ): Promise<{ error: ServiceError; appError: AppError }>
  stream(
    request: { sessionId: string; afterSeq?: number },
    user: TestUser | Metadata,
    options?: Partial<CallOptions>,
  ): Promise<ClientReadableStream<SessionEvent>>
  /** Collects a stream until it ends; rejects with the ServiceError if it fails. */
  collect(stream: ClientReadableStream<SessionEvent>): Promise<SessionEvent[]>
  submit(user: TestUser, overrides?: Partial<AgentRequest> & { agentType?: AgentTypeName }): Promise<string>
  /** The durable pull consumer a worker of the type would use. */
  workerConsumer(type: AgentTypeName): Promise<Consumer>
  /** Fetches one delivery as a worker would (undefined when none arrives in time). */
  fetchWork(type: AgentTypeName, expiresMs?: number): Promise<JsMsg | undefined>
  /** Opens the event writer a worker would hold for its attempt. */
  workerWriter(sessionId: string, attempt: number, flushIntervalMs?: number): Promise<SessionEventWriter>
  /** Starts another server instance on the same database and namespace, with overrides. */
  startAnother(
    overrides: Record<string, string>,
    options?: Partial<OrchestratorOptions>,
  ): Promise<StartedServer>
}

export type UnaryMethod =
  | 'submitRequest'
  | 'getSession'
  | 'listSessions'
  | 'cancelSession'
  | 'getQueuePosition'

// ts-proto's encoders expect every field (useOptionals=none): build messages with fromPartial.
const MESSAGES = {
  submitRequest: AgentRequest,
  getSession: GetSessionRequest,
  listSessions: ListSessionsRequest,
  cancelSession: CancelSessionRequest,
  getQueuePosition: GetQueuePositionRequest,
} as const

const NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222'

/**
 * The orchestrator in-process on port 0 against the real Postgres (a database of its own) and the real NATS
 * (a namespace of its own), with tenants, tokens from the dev issuer and a generated client.
 */
export async function startHarness(
  tag: string,
  overrides: Record<string, string> = {},
  options: Partial<OrchestratorOptions> = {},
): Promise<Harness> {
  const database = await createTestDatabase(tag)
  let tenants: TestTenants
  let auth: TestAuth
  try {
    tenants = await createTenants(database.db)
    auth = await createTestAuth()
  } catch (err) {
    await database.drop()
    throw err
  }
  const namespace = `t_${tag}_${randomBytes(4).toString('hex')}`
  const baseEnv = {
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL: database.url,
    NATS_URL,
    PIPELINE_NAMESPACE: namespace,
    SUPABASE_URL: auth.supabaseUrl,
    GRPC_PORT: '0',
    HOST: '127.0.0.1',
    HEALTH_CHECK_INTERVAL_MS: '200',
    QUEUE_METRICS_INTERVAL_MS: '200',
  }

  const startServer = async (
    env: OrchestratorEnv,
    serverOptions: Partial<OrchestratorOptions>,
    cleanupTopology: boolean,
  ): Promise<StartedServer> => {
    const logger = serverOptions.logger ?? createLogger({ service: 'orchestrator', level: env.LOG_LEVEL })
    const orchestrator = await startOrchestrator({ env, logger, ...serverOptions })
    const client = new AgentServiceClient(`127.0.0.1:${orchestrator.port}`, credentials.createInsecure())
    let closed: Promise<void> | undefined
    return {
      orchestrator,
      client,
      env,
      close: () => {
        closed ??= (async () => {
          client.close()
          await orchestrator.stopAccepting(2_000)
          await orchestrator.drain()
          if (cleanupTopology) {
            await orchestrator.deadLetters.deleteStream()
            await deleteTopology(orchestrator.nats.jsm, orchestrator.topology)
          }
          await orchestrator.closeConnections()
        })()
        return closed
      },
    }
  }

  const env = parseOrchestratorEnv({ ...baseEnv, ...overrides })
  const logger = createLogger({ service: 'orchestrator', level: env.LOG_LEVEL })
  let main: StartedServer
  try {
    main = await startServer(env, { logger, ...options }, true)
  } catch (err) {
    // A start that failed half way may have created the namespace's streams already.
    const nats = await connectNats({ env, name: 'orchestrator-test-cleanup', logger })
    const topology = new PipelineTopology(env)
    await nats.jsm.streams
      .delete(`${topology.namespace.toUpperCase()}_AGENT_DEAD_LETTER_ADVISORIES`)
      .catch(() => {})
    await deleteTopology(nats.jsm, topology).catch(() => {})
    await nats.close()
    await auth.close()
    await database.drop()
    throw err
  }
  const { orchestrator, client } = main
  const others: StartedServer[] = []

  const as = async (user: TestUser | null, extra: Record<string, string> = {}) => {
    const metadata = new Metadata()
    if (user) metadata.set('authorization', `Bearer ${await auth.token(user)}`)
    for (const [k, v] of Object.entries(extra)) metadata.set(k, v)
    return metadata
  }
  const metadataFor = async (who: TestUser | Metadata | null) => (who instanceof Metadata ? who : as(who))

  const call = async <Res>(
    method: UnaryMethod,
    request: object,
    who: TestUser | Metadata | null,
    callOptions: Partial<CallOptions> = {},
  ): Promise<Res> => {
    const metadata = await metadataFor(who)
    return new Promise<Res>((resolve, reject) => {
      const fn = client[method] as unknown as (
        req: object,
        md: Metadata,
        opts: Partial<CallOptions>,
        cb: (err: ServiceError | null, res: Res) => void,
      ) => unknown
      const message = (MESSAGES[method] as { fromPartial(o: object): object }).fromPartial(request)
      fn.call(client, message, metadata, callOptions, (err, res) => (err ? reject(err) : resolve(res)))
    })
  }

  const harness: Harness = {
    ...main,
    database,
    tenants,
    auth,
    logger,
    as,
    call,
    callError: async (method, request, who, callOptions) => {
      try {
        await call(method, request, who, callOptions)
      } catch (err) {
        const error = err as ServiceError
        return { error, appError: fromGrpcError(error) }
      }
      throw new Error(`${method} succeeded but was expected to fail`)
    },
    stream: async (request, who, callOptions = {}) =>
      client.streamSessionEvents(
        StreamSessionEventsRequest.fromPartial(request),
        await metadataFor(who),
        callOptions,
      ),
    collect: (stream) =>
      new Promise((resolve, reject) => {
        const events: SessionEvent[] = []
        stream.on('data', (event: SessionEvent) => events.push(event))
        stream.on('error', reject)
        stream.on('end', () => resolve(events))
      }),
    submit: async (user, overrides = {}) => {
      const { agentType, ...rest } = overrides
      const response = await call<{ sessionId: string }>(
        'submitRequest',
        {
          type: agentTypeToProto(agentType ?? 'project_management'),
          request: 'Plan a 12-week website rebuild for Acme',
          ...rest,
        },
        user,
      )
      return response.sessionId
    },
    workerConsumer: (type) =>
      orchestrator.nats.js.consumers.get(
        orchestrator.topology.requestsStream,
        orchestrator.topology.consumerName(type),
      ),
    fetchWork: async (type, expiresMs = 2_000) => {
      const consumer = await harness.workerConsumer(type)
      const msg = await consumer.next({ expires: expiresMs })
      return msg ?? undefined
    },
    workerWriter: async (sessionId, attempt, flushIntervalMs) => {
      const row = await orchestrator.store.db.asService((tx) =>
        tx.selectFrom('agent_sessions').selectAll().where('id', '=', sessionId).executeTakeFirstOrThrow(),
      )
      return SessionEventWriter.open({
        js: orchestrator.nats.js,
        jsm: orchestrator.nats.jsm,
        topology: orchestrator.topology,
        store: orchestrator.store,
        sessionId,
        organisationId: row.organisation_id,
        agent: row.agent_type,
        attempt,
        logger,
        ...(flushIntervalMs === undefined ? {} : { flushIntervalMs }),
      })
    },
    startAnother: async (more, serverOptions = {}) => {
      const started = await startServer(
        parseOrchestratorEnv({ ...baseEnv, ...overrides, ...more }),
        serverOptions,
        false,
      )
      others.push(started)
      return started
    },
    close: async () => {
      await Promise.all(others.map((o) => o.close()))
      await main.close()
      await auth.close()
      await database.drop()
    },
  }
  return harness
}
