// Vitest globalSetup (registered in the root vitest.config.ts): prepares this run's test databases once,
// before any test file runs, and drops them when the run ends. The schema comes from @psa/supabase and the
// demo data from @psa/demo-data; tests reach the result through @psa/test-kit.
import { demoDataSeed } from '@psa/demo-data'
import {
  DEFAULT_TEST_DATABASE_URL,
  dropTestDatabases,
  prepareTestDatabases,
  redactDatabaseUrl,
  type TestDatabases,
} from '@psa/supabase'
import type {} from '@psa/test-kit'
import type { TestProject } from 'vitest/node'

// Read once: setup points TEST_DATABASE_URL at this run's copy below, and a watch-mode rerun must not take
// that copy for the base.
const baseUrl = process.env.TEST_DATABASE_URL || DEFAULT_TEST_DATABASE_URL

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const log = (line: string) => process.stderr.write(`${line}\n`)
  let prepared: TestDatabases
  try {
    prepared = await prepareTestDatabases({
      baseUrl,
      // TEST_DATABASE_DEMO=0 leaves the demo data out (e.g. while the generator is broken).
      seed: process.env.TEST_DATABASE_DEMO === '0' ? undefined : demoDataSeed,
      log,
    })
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err)
    throw new Error(`could not prepare the test database from ${redactDatabaseUrl(baseUrl)}: ${reason}`, {
      cause: err,
    })
  }
  if (prepared.templatesBuilt)
    log(`test database: templates ${Object.values(prepared.templates).join(', ')} ready`)
  project.provide('testDatabases', {
    url: prepared.url,
    maintenanceUrl: prepared.maintenanceUrl,
    templates: prepared.templates,
    scratchPrefix: prepared.scratchPrefix,
  })
  // Workers inherit the environment, so code that reads TEST_DATABASE_URL directly finds this run's copy.
  process.env.TEST_DATABASE_URL = prepared.url

  return async () => {
    // TEST_DATABASE_KEEP=1 leaves the run's databases behind for a post-mortem.
    if (process.env.TEST_DATABASE_KEEP !== '1') await dropTestDatabases(prepared)
  }
}
