import { fileURLToPath } from 'node:url'
import { AgentType, SessionStatus } from './gen/psa/v1/agent.js'

export * from './gen/psa/v1/agent.js'
export * from './gen/psa/v1/agent_service.js'
export * from './gen/psa/v1/events.js'

/** Folder holding `psa/v1/*.proto`, for @grpc/proto-loader (server reflection) and other-language clients. */
export const PROTO_ROOT = fileURLToPath(new URL('..', import.meta.url))
export const PROTO_FILES = ['psa/v1/agent.proto', 'psa/v1/events.proto', 'psa/v1/agent_service.proto']
export const AGENT_SERVICE_NAME = 'psa.v1.AgentService'
/** The most items one SubmitRequests call may carry (agent_service.proto). */
export const MAX_SUBMIT_ITEMS = 64

/** Agent types as stored in Postgres (`agent_type` enum) and used in REST, NATS subjects and logs. */
export const AGENT_TYPES = ['project_management', 'resourcing', 'quotes', 'orchestrator'] as const
export type AgentTypeName = (typeof AGENT_TYPES)[number]

export const SESSION_STATUSES = ['queued', 'processing', 'completed', 'failed', 'cancelled'] as const
export type SessionStatusName = (typeof SESSION_STATUSES)[number]
/** The statuses a session ends in; nothing changes a session's status after one of them. */
export const TERMINAL_STATUSES: ReadonlySet<SessionStatusName> = new Set(['completed', 'failed', 'cancelled'])

export function isTerminalStatus(status: string): boolean {
  return TERMINAL_STATUSES.has(status as SessionStatusName)
}

const AGENT_TYPE_BY_NAME: Record<AgentTypeName, AgentType> = {
  project_management: AgentType.AGENT_TYPE_PROJECT_MANAGEMENT,
  resourcing: AgentType.AGENT_TYPE_RESOURCING,
  quotes: AgentType.AGENT_TYPE_QUOTES,
  orchestrator: AgentType.AGENT_TYPE_ORCHESTRATOR,
}

const STATUS_BY_NAME: Record<SessionStatusName, SessionStatus> = {
  queued: SessionStatus.SESSION_STATUS_QUEUED,
  processing: SessionStatus.SESSION_STATUS_PROCESSING,
  completed: SessionStatus.SESSION_STATUS_COMPLETED,
  failed: SessionStatus.SESSION_STATUS_FAILED,
  cancelled: SessionStatus.SESSION_STATUS_CANCELLED,
}

function invert<K extends string, V extends string>(record: Record<K, V>): Partial<Record<V, K>> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [v, k])) as Partial<Record<V, K>>
}
const NAME_BY_AGENT_TYPE = invert(AGENT_TYPE_BY_NAME)
const NAME_BY_STATUS = invert(STATUS_BY_NAME)

export const agentTypeToProto = (name: AgentTypeName): AgentType => AGENT_TYPE_BY_NAME[name]
/** Undefined for UNSPECIFIED/UNRECOGNIZED, which callers must reject as invalid input. */
export const agentTypeFromProto = (type: AgentType): AgentTypeName | undefined => NAME_BY_AGENT_TYPE[type]
export const sessionStatusToProto = (name: SessionStatusName): SessionStatus => STATUS_BY_NAME[name]
export const sessionStatusFromProto = (status: SessionStatus): SessionStatusName | undefined =>
  NAME_BY_STATUS[status]
export { MAX_CONTEXT_BYTES, MAX_CONTEXT_DEPTH, nestsDeeperThan } from './context-limits.js'
