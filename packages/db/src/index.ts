export { sql } from 'kysely'
export {
  abandonReserved,
  guardKyselyConnection,
  isConnectionLoss,
  wholeFailureSocket,
} from './connection-loss.js'
export { Database, type DatabaseOptions, type DB, type JwtClaims, type Tx } from './database.js'
export { type DatabaseEnv, databaseEnvSchema } from './env.js'
export { mapDatabaseError } from './errors.js'
// The schema's enums and JSON type, generated from the migrations (npm run db:types).
export type {
  AgentType,
  AllocationKind,
  BillingModel,
  DependencyType,
  Json,
  MembershipRole,
  PricingModel,
  ProjectHealth,
  ProjectStatus,
  ProposalStatus,
  QuoteStatus,
  ResourceRequestStatus,
  SessionStatus,
  TaskStatus,
  TimeOffKind,
} from './gen/database.js'
export { compiledStatement, type PipelineResults, type PipelineStatements } from './pipeline.js'
export {
  hasRole,
  MEMBERSHIP_ROLES,
  type Membership,
  membershipSubquery,
  noMembership,
  resolveMembership,
} from './tenancy.js'
