import { envVars } from '@psa/config'
import { z } from 'zod'

/** Database settings every service that talks to Postgres reads, merged into its own env schema. */
export const databaseEnvSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .default('postgres://postgres@127.0.0.1:5432/psa'),
  DATABASE_POOL_MAX: envVars.positiveInt(10),
  /**
   * Named prepared statements make repeated queries cheaper, but Supabase's transaction pooler (Supavisor on
   * port 6543) and PgBouncer in transaction mode hand each transaction a different server connection, where
   * a statement prepared earlier does not exist. Off there; on for direct connections.
   */
  DATABASE_PREPARED_STATEMENTS: envVars.bool(true),
  DATABASE_STATEMENT_TIMEOUT_MS: envVars.durationMs(15_000),
  /**
   * How long a transaction may sit idle between statements before Postgres ends its session: a caller
   * stuck (or waiting on NATS) inside a transaction must not hold its locks and connection for ever.
   */
  DATABASE_IDLE_IN_TRANSACTION_TIMEOUT_MS: envVars.durationMs(30_000),
  DATABASE_CONNECT_TIMEOUT_S: envVars.positiveInt(10),
})
export type DatabaseEnv = z.infer<typeof databaseEnvSchema>
