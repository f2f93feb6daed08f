// The roles, most powerful first (from the schema's enum, as @psa/db ranks them).
export { MEMBERSHIP_ROLES } from '@psa/db'
export { type FaultMode, FaultProxy } from '@psa/db/testing'
export { type Actor, asActor, attempt, becomeActor, claimsFor, type Outcome } from './actors.js'
export { createTestAuth, type TestAuth } from './auth.js'
export {
  fromRole,
  MATRIX_ACTORS,
  type MatrixActor,
  type MatrixExpect,
  type MatrixRow,
  READ_OURS,
  READ_OWN,
} from './authz-matrix.js'
export {
  createScratchDatabase,
  openTestDatabase,
  type ScratchDatabase,
  type TestDatabasesInfo,
  testDatabases,
  testDatabaseUrl,
} from './database.js'
export { LogCapture, silentLogger } from './logging.js'
export { TEST_NATS_URL, testNamespace } from './nats.js'
export { freePort } from './ports.js'
export {
  buildService,
  killServiceProcesses,
  type ServiceProcess,
  startServiceProcess,
} from './service-process.js'
export {
  type CreateTenantOptions,
  createTenant,
  type OutsideUser,
  type Tenant,
  type TenantData,
  type TenantUser,
  type TenantUserKey,
  testUser,
} from './tenant.js'
