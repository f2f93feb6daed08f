import type postgres from 'postgres'

/**
 * Rows loaded after the migrations: the demo data set (`@psa/demo-data` provides it). The schema does not
 * know what the rows are, so whoever sets a database up (`npm run db:setup`, `npm start`, the test run)
 * passes the seed in.
 */
export interface DatabaseSeed {
  /** For progress lines: "loaded the <name>". */
  name: string
  /**
   * The folder of the sources the rows are generated from: a test template seeded with it is rebuilt when
   * anything in it changes.
   */
  sourceDir: string
  /** Whether the rows depend on the date they are loaded (a seeded test template is then rebuilt daily). */
  dated: boolean
  /** Loads the rows (idempotent: a second load changes nothing). */
  load(sql: postgres.Sql): Promise<unknown>
}
