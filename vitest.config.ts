import { defineConfig } from 'vitest/config'

export default defineConfig({
  // Workspace packages export their TypeScript sources under the "source" condition, so tests never run
  // against a stale dist/.
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: ['{packages,services,supabase,proto}/**/src/**/*.test.ts', 'scripts/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**', '**/.next/**'],
    // Prepares this run's Postgres test database (bootstrap + migrations + demo data) once; tests get its URL
    // from testDatabaseUrl() in @psa/supabase/testing.
    globalSetup: ['supabase/src/testing/global-setup.ts'],
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
})
