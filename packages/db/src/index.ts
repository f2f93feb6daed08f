export { sql } from 'kysely'
export { Database, type DatabaseOptions, type DB, type JwtClaims, type Tx } from './database.js'
export { type DatabaseEnv, databaseEnvSchema } from './env.js'
export { mapDatabaseError } from './errors.js'
