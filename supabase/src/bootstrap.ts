import { readFile } from 'node:fs/promises'
import type { DatabaseLocation } from './database-url.js'
import { paths } from './paths.js'
import { withDatabase, withServerLock } from './server.js'

/**
 * Applies supabase/bootstrap/supabase-compat.sql (roles, auth schema, publication: what the Supabase image
 * provides) to the database. Idempotent. Never run against hosted Supabase, which has all of it already.
 */
export async function applyBootstrap(location: DatabaseLocation): Promise<void> {
  const script = await readFile(paths.bootstrapFile, 'utf8')
  await withServerLock(location, 'bootstrap', () =>
    withDatabase(location, async (sql) => {
      await sql.unsafe(script)
    }),
  )
}
