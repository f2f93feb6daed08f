import { inject } from 'vitest'

declare module 'vitest' {
  export interface ProvidedContext {
    /** The database this test run prepared (bootstrap + migrations + demo data), see global-setup.ts. */
    testDatabaseUrl: string
  }
}

/**
 * The URL of this run's test database: a private copy (`<TEST_DATABASE_URL's name>_run_<pid>`) of a template
 * holding the bootstrap, every migration and the demo data, so concurrent test runs never share one.
 * Tests still create their own rows (their own organisations) so files can run in parallel.
 */
export function testDatabaseUrl(): string {
  const url = inject('testDatabaseUrl') ?? process.env.TEST_DATABASE_URL
  if (!url) {
    throw new Error(
      'No test database: run tests through the root vitest config, whose globalSetup (supabase/src/testing/global-setup.ts) prepares it',
    )
  }
  return url
}
