export { type AdvisorFinding, advisorProblems, runAdvisors, summariseFindings } from './advisors.js'
export { applyBootstrap } from './bootstrap.js'
export { type DbCliOptions, runDbCli } from './cli.js'
export { committedTypesAreCurrent, generateDatabaseTypes } from './database-types.js'
export {
  cliDatabaseUrl,
  type DatabaseLocation,
  DEFAULT_DATABASE_URL,
  DEFAULT_TEST_DATABASE_URL,
  parseDatabaseUrl,
  redactDatabaseUrl,
} from './database-url.js'
export { paths } from './paths.js'
export { withFreshSchema } from './scratch-database.js'
export type { DatabaseSeed } from './seed.js'
export { START_POSTGRES_HINT, withDatabase } from './server.js'
export { removeDatabase, resetDatabase, type SetupOptions, type SetupResult, setupDatabase } from './setup.js'
export { pushMigrations } from './supabase-cli.js'
export {
  dropTestDatabases,
  type PrepareTestDatabasesOptions,
  prepareTestDatabases,
  type TestDatabases,
  templateFingerprint,
} from './test-templates.js'
