import { fileURLToPath } from 'node:url'
import type { DatabaseSeed } from '@psa/supabase'
import { loadDemoData } from './load.js'

/**
 * The demo data as the database tooling's seed: what `npm run db:setup`, `npm start` and the test
 * database template load after the migrations. The template is rebuilt when these sources change, and
 * daily, since the data is laid out around today.
 */
export const demoDataSeed: DatabaseSeed = sizedDemoDataSeed()

/** The demo data with Northwind at about `people` people (`npm run db:setup -- --people 5000`). */
export function sizedDemoDataSeed(people?: number): DatabaseSeed {
  return {
    name: people === undefined ? 'demo data' : `demo data (about ${people} people)`,
    // src/ or, once built, dist/: either holds what the rows are generated from.
    sourceDir: fileURLToPath(new URL('.', import.meta.url)),
    dated: true,
    load: (sql) => loadDemoData(sql, { people }),
  }
}
