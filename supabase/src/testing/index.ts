export { type Actor, asActor, attempt, becomeActor, claimsFor, type Outcome } from './roles.js'
export {
  createTenantFixture,
  dropTenantFixture,
  type FixtureUser,
  MEMBERSHIP_ROLES,
  type MembershipRole,
  type TenantFixture,
} from './tenant-fixture.js'
export { testDatabaseUrl } from './test-database.js'
