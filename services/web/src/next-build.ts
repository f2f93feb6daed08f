import { execFile } from 'node:child_process'
import { readdir, stat } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { promisify } from 'node:util'

const run = promisify(execFile)

/** What the production build is made from; a change to any of them makes `.next` stale. */
const BUILD_INPUTS = [
  'src/app',
  'src/components',
  'src/lib',
  'src/proxy.ts',
  'public',
  'next.config.ts',
  'tsconfig.json',
  'package.json',
]

async function newestMtime(path: string): Promise<number> {
  const info = await stat(path).catch(() => undefined)
  if (!info) return 0
  if (!info.isDirectory()) return info.mtimeMs
  const entries = await readdir(path)
  const times = await Promise.all(entries.map((entry) => newestMtime(join(path, entry))))
  return Math.max(info.mtimeMs, ...times)
}

/** True when `.next` exists and is newer than every build input and the installed Next.js. */
export async function isBuildFresh(dir: string): Promise<boolean> {
  const built = await stat(join(dir, '.next', 'BUILD_ID')).catch(() => undefined)
  if (!built) return false
  const nextPackage = createRequire(join(dir, 'package.json')).resolve('next/package.json')
  const inputs = await Promise.all([
    ...BUILD_INPUTS.map((p) => newestMtime(join(dir, p))),
    newestMtime(nextPackage),
  ])
  return built.mtimeMs >= Math.max(...inputs)
}

/**
 * Makes sure the tests run against a production build of the current sources: `npm run build` normally
 * left one; otherwise (fresh clone, edited page) this runs `next build` (~10 s). The build runs under a
 * file lock so two test processes never write `.next` at the same time.
 */
export async function ensureNextBuild(dir: string): Promise<'fresh' | 'built'> {
  if (await isBuildFresh(dir)) return 'fresh'
  const nextBin = createRequire(join(dir, 'package.json')).resolve('next/dist/bin/next')
  await run('flock', ['-w', '300', '/tmp/psa-web-next-build.lock', process.execPath, nextBin, 'build'], {
    cwd: dir,
    // Vitest sets NODE_ENV=test; a Next build must see production.
    env: { ...process.env, NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1' },
    maxBuffer: 16 * 1024 * 1024,
  })
  return 'built'
}
