export { createTenant, type Tenant, type TenantRole, type TenantUser, type TenantUserKey } from './tenant.js'
export { openTestDatabase, silentLogger } from './test-database.js'
