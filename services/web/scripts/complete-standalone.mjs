// Completes Next.js's standalone output (.next/standalone) for the container image (services/web/Dockerfile).
// Next traces its own server and the pages, but this service's process is dist/standalone.js (the probes,
// metrics, the /api proxy and graceful shutdown around Next), so that entry is traced the same way, with
// @vercel/nft as Next does, and its files are copied in; then the static assets the standalone output leaves
// out. The result is the whole /app of the image: `node services/web/dist/standalone.js`.
import { cp, lstat, mkdir, readlink, symlink } from 'node:fs/promises'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { nodeFileTrace } from '@vercel/nft'

const webDir = fileURLToPath(new URL('..', import.meta.url))
const root = resolve(webDir, '../..')
const out = join(webDir, '.next', 'standalone')

const { fileList } = await nodeFileTrace([join(webDir, 'dist', 'standalone.js')], { base: root })
for (const file of [...fileList].sort()) {
  const from = join(root, file)
  const to = join(out, file)
  const info = await lstat(from)
  if (info.isDirectory()) continue
  await mkdir(dirname(to), { recursive: true })
  if (info.isSymbolicLink()) {
    // Workspace packages are symlinks in node_modules; their targets are traced too.
    await symlink(await readlink(from), to).catch((err) => {
      if (err.code !== 'EEXIST') throw err
    })
  } else {
    await cp(from, to, { force: true })
  }
}

const webOut = join(out, 'services', 'web')
await cp(join(webDir, '.next', 'static'), join(webOut, '.next', 'static'), { recursive: true })
await cp(join(webDir, 'public'), join(webOut, 'public'), { recursive: true }).catch((err) => {
  if (err.code !== 'ENOENT') throw err
})
process.stdout.write(`standalone output completed: ${fileList.size} traced files for dist/standalone.js\n`)
