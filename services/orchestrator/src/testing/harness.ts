import { type CallOptions, type ClientReadableStream, Metadata, type ServiceError } from '@grpc/grpc-js'
import type { Consumer, JsMsg } from '@nats-io/jetstream'
import type { Logger } from '@psa/config'
import type { AppError } from '@psa/errors'
import {
  AgentRequest,
  type AgentTypeName,
  agentTypeToProto,
  CancelSessionRequest,
  GetQueuePositionRequest,
  GetSessionRequest,
  ListSessionsRequest,
  type SessionEvent,
  StreamSessionEventsRequest,
  SubmitRequestsRequest,
} from '@psa/proto'
import {
  createScratchDatabase,
  createTenant,
  createTestAuth,
  type OutsideUser,
  type ScratchDatabase,
  type Tenant,
  type TenantUser,
  type TestAuth,
} from '@psa/test-kit'
import { fromGrpcError } from '../grpc-errors.js'
import type { OrchestratorOptions } from '../server.js'
import { startTestOrchestrator, type TestOrchestrator } from './test-orchestrator.js'

export type TestUser = TenantUser | OutsideUser

/** The users the orchestrator's tests talk about, from the kit's tenant (`bob` and `carol` are extra members). */
export interface TestTenants {
  orgA: string
  orgB: string
  /** Members of org A. */
  alice: TenantUser
  bob: TenantUser
  carol: TenantUser
  /** A viewer of org A. */
  victor: TenantUser
  /** A manager of org A. */
  maria: TenantUser
  /** A member of org B. */
  oscar: TenantUser
  /** Belongs to no organisation. */
  nobody: OutsideUser
  /** The kit tenant's users by role (admin and owner included), for matrices over every role. */
  byRole: Tenant['users']
}

/** One orchestrator instance of the harness (the main one, or another replica on the same namespace). */
export type StartedServer = TestOrchestrator

export interface Harness extends StartedServer {
  database: ScratchDatabase
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
  /** Starts another server instance on the same database and namespace, with overrides. */
  startAnother(
    overrides: Record<string, string>,
    options?: Partial<OrchestratorOptions>,
  ): Promise<StartedServer>
}

export type UnaryMethod =
  | 'submitRequest'
  | 'submitRequests'
  | 'getSession'
  | 'listSessions'
  | 'cancelSession'
  | 'getQueuePosition'

// ts-proto's encoders expect every field (useOptionals=none): build messages with fromPartial.
const MESSAGES = {
  submitRequest: AgentRequest,
  submitRequests: SubmitRequestsRequest,
  getSession: GetSessionRequest,
  listSessions: ListSessionsRequest,
  cancelSession: CancelSessionRequest,
  getQueuePosition: GetQueuePositionRequest,
} as const

/**
 * The orchestrator in-process on port 0 against the real Postgres (a scratch database of its own: queue
 * positions are global per agent type) and the real NATS (a namespace of its own), with tenants, tokens from
 * the dev issuer and a generated client.
 */
export async function startHarness(
  tag: string,
  overrides: Record<string, string> = {},
  options: Partial<OrchestratorOptions> = {},
): Promise<Harness> {
  const database = await createScratchDatabase(`orch_${tag}`)
  let tenants: TestTenants
  let auth: TestAuth
  try {
    const tenant = await createTenant(database.db, { data: 'users' })
    tenants = {
      orgA: tenant.orgId,
      orgB: tenant.otherOrgId,
      alice: tenant.users.member,
      bob: tenant.users.bystander,
      carol: await tenant.addUser('member', 'carol'),
      victor: tenant.users.viewer,
      maria: tenant.users.manager,
      oscar: tenant.users.otherMember,
      nobody: tenant.users.nobody,
      byRole: tenant.users,
    }
    auth = await createTestAuth()
  } catch (err) {
    await database.drop()
    throw err
  }
  const startServer = (
    env: Record<string, string>,
    serverOptions: Partial<OrchestratorOptions>,
    namespace?: string,
  ): Promise<StartedServer> =>
    startTestOrchestrator({
      databaseUrl: database.url,
      supabaseUrl: auth.supabaseUrl,
      tag,
      env,
      server: serverOptions,
      ...(namespace ? { namespace } : {}),
    })

  let main: StartedServer
  try {
    main = await startServer(overrides, options)
  } catch (err) {
    await auth.close()
    await database.drop()
    throw err
  }
  const { orchestrator, client, logger } = main
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
    startAnother: async (more, serverOptions = {}) => {
      const started = await startServer({ ...overrides, ...more }, serverOptions, main.env.PIPELINE_NAMESPACE)
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
