import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { readDockerfile } from './dockerfile.js'
import { checkDockerfile, imageBuilds, nodeVersion } from './dockerfile-checks.js'
import { REPO_ROOT, readWorkspaces } from './workspaces.js'

const workspaces = readWorkspaces()
const builds = imageBuilds(workspaces)

describe('Dockerfiles', () => {
  it('there is one image per service, plus the database image', () => {
    const services = [...workspaces.values()].filter((w) => w.dir.startsWith('services/')).map((w) => w.dir)
    const packaged = builds.map((b) => b.workspace.dir)
    expect(packaged.sort()).toEqual([...services, 'packages/demo-data'].sort())
  })

  it.each(builds.map((b) => [b.dockerfile, b] as const))(
    '%s matches the workspace graph and the image rules',
    (_name, build) => {
      const parsed = readDockerfile(join(REPO_ROOT, build.dockerfile))
      expect(checkDockerfile(parsed, build, workspaces, nodeVersion())).toEqual([])
    },
  )

  it('a workspace dependency the Dockerfile misses fails the check', () => {
    const gateway = builds.find((b) => b.workspace.name === '@psa/gateway')
    if (!gateway) throw new Error('no gateway image')
    const tampered = structuredClone(workspaces)
    const manifest = tampered.get('@psa/gateway')?.manifest
    if (!manifest) throw new Error('no gateway workspace')
    manifest.dependencies = { ...manifest.dependencies, '@psa/agent-models': '0.1.0' }
    const problems = checkDockerfile(
      readDockerfile(join(REPO_ROOT, gateway.dockerfile)),
      { ...gateway, workspace: tampered.get('@psa/gateway') ?? gateway.workspace },
      tampered,
      nodeVersion(),
    )
    expect(problems.join('\n')).toContain('runtime stage package.json copies: missing packages/agent-models')
    expect(problems.join('\n')).toContain('missing /app/packages/agent-models/dist')
  })

  it('the build context leaves out installs, builds, secrets and the delivery files', () => {
    const ignored = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8').split('\n')
    for (const pattern of ['**/node_modules', '**/dist', '**/.next', '.git', '.env', '.env.*', '.psa']) {
      expect(ignored).toContain(pattern)
    }
  })
})
