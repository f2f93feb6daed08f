import { defineConfig } from 'vitest/config'

export default defineConfig({
  // Workspace packages export their TypeScript sources under the "source" condition, so tests never run
  // against a stale dist/.
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: ['{packages,services,supabase,proto}/**/src/**/*.test.{ts,tsx}'],
    exclude: ['**/node_modules/**', '**/dist/**', '**/.next/**'],
    // Prepares this run's Postgres test databases (templates with the schema and the demo data, and the run's
    // copy) once; tests reach them through @psa/test-kit.
    globalSetup: ['packages/devstack/src/test-database-setup.ts'],
    setupFiles: ['packages/test-kit/src/property-seed.ts'],
    // Node is started with `--conditions source` for the workspace packages; third-party packages that
    // also publish a "source" export (eventsource, via the Strands SDK's MCP client) would then be loaded
    // as raw TypeScript, so Vite bundles them for the workers instead.
    server: { deps: { inline: [/@strands-agents\/sdk/, /@modelcontextprotocol\/sdk/, /eventsource/] } },
    testTimeout: 20_000,
    hookTimeout: 60_000,
  },
})
