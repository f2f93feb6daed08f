export { type Actor, asActor, attempt, becomeActor, claimsFor, type Outcome } from './actors.js'
export { createTestAuth, type TestAuth } from './auth.js'
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
  type CreateTenantOptions,
  createTenant,
  MEMBERSHIP_ROLES,
  type OutsideUser,
  type Tenant,
  type TenantData,
  type TenantUser,
  type TenantUserKey,
  testUser,
} from './tenant.js'
