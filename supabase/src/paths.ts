import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

// This module sits directly in src/ (and dist/ once built), so the package root is one level up either way.
const packageRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..')
const repoRoot = resolve(packageRoot, '..')

/** Where the schema sources live; the Supabase CLI's workdir is the repository root (it holds `supabase/`). */
export const paths = {
  packageRoot,
  repoRoot,
  bootstrapFile: join(packageRoot, 'bootstrap', 'supabase-compat.sql'),
  migrationsDir: join(packageRoot, 'migrations'),
  generatedTypesFile: join(repoRoot, 'packages', 'db', 'src', 'gen', 'database.ts'),
} as const
