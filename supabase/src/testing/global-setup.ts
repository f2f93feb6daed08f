// Vitest globalSetup (registered in the root vitest.config.ts): prepares this run's test database once,
// before any test file runs, and drops it when the run ends.
import type { TestProject } from 'vitest/node'
import { DEFAULT_TEST_DATABASE_URL, redactDatabaseUrl } from '../database-url.js'
import { dropTestDatabase, prepareTestDatabase } from './test-database-template.js'

// Read once: setup points TEST_DATABASE_URL at this run's copy below, and a watch-mode rerun must not take
// that copy for the base.
const baseUrl = process.env.TEST_DATABASE_URL || DEFAULT_TEST_DATABASE_URL

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const log = (line: string) => process.stderr.write(`${line}\n`)
  let prepared: Awaited<ReturnType<typeof prepareTestDatabase>>
  try {
    prepared = await prepareTestDatabase({
      baseUrl,
      // TEST_DATABASE_DEMO=0 skips the demo data (e.g. while the generator is broken).
      demoData: process.env.TEST_DATABASE_DEMO !== '0',
      log,
    })
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err)
    throw new Error(`could not prepare the test database from ${redactDatabaseUrl(baseUrl)}: ${reason}`, {
      cause: err,
    })
  }
  if (prepared.templateBuilt) log(`test database: template ${prepared.template} built`)
  project.provide('testDatabaseUrl', prepared.url)
  // Workers inherit the environment, so code that reads TEST_DATABASE_URL directly finds this run's copy.
  process.env.TEST_DATABASE_URL = prepared.url

  return async () => {
    // TEST_DATABASE_KEEP=1 leaves the run's database behind for a post-mortem.
    if (process.env.TEST_DATABASE_KEEP !== '1') await dropTestDatabase(prepared.url)
  }
}
