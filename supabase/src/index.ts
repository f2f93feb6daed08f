export { type AdvisorFinding, advisorProblems, runAdvisors, summariseFindings } from './advisors.js'
export { applyBootstrap } from './bootstrap.js'
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
export { START_POSTGRES_HINT } from './server.js'
export { resetDatabase, type SetupOptions, type SetupResult, setupDatabase } from './setup.js'
export { pushMigrations } from './supabase-cli.js'
