import { existsSync, readFileSync } from 'node:fs'
import { join, posix } from 'node:path'
import { parse } from 'yaml'
import type { ParsedDockerfile, Stage } from './dockerfile.js'
import { REPO_ROOT, rootManifest, type Workspace, workspaceClosure } from './workspaces.js'

/** An image skaffold.yaml builds: its name, its Dockerfile and the workspace it packages. */
export interface ImageBuild {
  image: string
  dockerfile: string
  workspace: Workspace
}

interface SkaffoldArtifact {
  image: string
  context?: string
  docker?: { dockerfile?: string }
}

export function readSkaffold(root = REPO_ROOT): {
  build: { artifacts: SkaffoldArtifact[] }
  [key: string]: unknown
} {
  return parse(readFileSync(join(root, 'skaffold.yaml'), 'utf8'))
}

/** The images skaffold.yaml builds, each with the workspace whose folder holds its Dockerfile. */
export function imageBuilds(workspaces: Map<string, Workspace>, root = REPO_ROOT): ImageBuild[] {
  return readSkaffold(root).build.artifacts.map((artifact) => {
    const dockerfile = artifact.docker?.dockerfile ?? 'Dockerfile'
    const dir = posix.dirname(dockerfile)
    const workspace = [...workspaces.values()].find((w) => w.dir === dir)
    if (!workspace) throw new Error(`${dockerfile} is not in a workspace folder`)
    return { image: artifact.image, dockerfile, workspace }
  })
}

/** The Node version every image must run: the repository's own (`node` devDependency). */
export function nodeVersion(root = REPO_ROOT): string {
  const version = rootManifest(root).devDependencies?.node
  if (!version) throw new Error('the root package.json has no node devDependency')
  return version
}

const sameSet = (actual: string[], expected: string[]) =>
  [...new Set(actual)].sort().join('\n') === [...new Set(expected)].sort().join('\n')

function diff(what: string, actual: string[], expected: string[]): string[] {
  if (sameSet(actual, expected)) return []
  const missing = expected.filter((e) => !actual.includes(e))
  const extra = actual.filter((a) => !expected.includes(a))
  return [
    `${what}: ${[...missing.map((m) => `missing ${m}`), ...extra.map((e) => `not needed ${e}`)].join(', ')}`,
  ]
}

function npmCiWorkspaces(stage: Stage): { flags: string[]; workspaces: string[] } | undefined {
  const run = stage.runs.find((r) => /\bnpm ci\b/.test(r))
  if (!run) return undefined
  const words = run.replace(/\\\n/g, ' ').split(/\s+/)
  return {
    flags: words.filter((w) => w.startsWith('--') && !w.startsWith('--workspace=')),
    workspaces: words.filter((w) => w.startsWith('--workspace=')).map((w) => w.slice('--workspace='.length)),
  }
}

const contextCopies = (stage: Stage) => stage.copies.filter((c) => c.from === undefined)
const manifestCopies = (stage: Stage) =>
  contextCopies(stage)
    .flatMap((c) => c.sources)
    .filter((s) => s.endsWith('/package.json'))
    .map((s) => posix.dirname(s))
const sourceCopies = (stage: Stage) =>
  contextCopies(stage)
    .filter((c) => c.sources.length === 1 && c.sources[0] === c.destination)
    .map((c) => c.sources[0] ?? '')

/**
 * What a Dockerfile must say for the workspace it packages, derived from the workspace graph: the build stage
 * installs and copies exactly the workspaces the service is built with; the runtime stage installs the
 * production dependencies of the service alone and copies, for each workspace it imports at run time, what
 * that workspace's package.json `files` names. Returns the problems (empty: the Dockerfile is right).
 */
export function checkDockerfile(
  parsed: ParsedDockerfile,
  build: { workspace: Workspace; dockerfile: string },
  workspaces: Map<string, Workspace>,
  node: string,
  root = REPO_ROOT,
): string[] {
  const problems: string[] = []
  const { workspace } = build
  const isWeb = existsSync(join(root, workspace.dir, 'next.config.ts'))
  if (!parsed.syntax?.startsWith('docker/dockerfile:1'))
    problems.push('no `# syntax=docker/dockerfile:1` directive')
  const official = new RegExp(`^node:${node.replaceAll('.', '\\.')}-[a-z]+-slim$`)
  for (const stage of parsed.stages) {
    if (!official.test(stage.image))
      problems.push(`FROM ${stage.image}: not the official node:${node}-<debian>-slim`)
  }
  const buildStage = parsed.stages.find((s) => s.name === 'build')
  const runtime = parsed.final
  if (!buildStage || runtime.name !== 'runtime' || parsed.stages.length !== 2) {
    problems.push('expected two stages: build, then runtime')
    return problems
  }

  const buildDirs = workspaceClosure(workspaces, workspace.name, 'build').map((w) => w.dir)
  const runtimeWorkspaces = workspaceClosure(workspaces, workspace.name, 'runtime')
  problems.push(...diff('build stage package.json copies', manifestCopies(buildStage), buildDirs))
  problems.push(...diff('build stage source copies', sourceCopies(buildStage), buildDirs))
  const buildCi = npmCiWorkspaces(buildStage)
  if (!buildCi) problems.push('build stage: no npm ci')
  else {
    problems.push(...diff('build stage npm ci --workspace', buildCi.workspaces, buildDirs))
    for (const flag of ['--include-workspace-root', '--ignore-scripts']) {
      if (!buildCi.flags.includes(flag)) problems.push(`build stage npm ci: no ${flag}`)
    }
  }
  if (!buildStage.runs.some((r) => r.includes(`tsc -b ${workspace.dir}`))) {
    problems.push(`build stage: no tsc -b ${workspace.dir}`)
  }

  const fromBuild = runtime.copies.filter((c) => c.from === 'build').flatMap((c) => c.sources)
  if (isWeb) {
    problems.push(
      ...diff('runtime stage copies from build', fromBuild, [
        `/app/${workspace.dir}/.next/standalone`,
        '/usr/bin/tini',
      ]),
    )
    if (
      !buildStage.runs.some((r) => r.includes('NEXT_OUTPUT=standalone') && r.includes('complete-standalone'))
    ) {
      problems.push('build stage: Next.js is not built with the standalone output and completed')
    }
    if (contextCopies(runtime).length > 0) problems.push('runtime stage copies from the build context')
  } else {
    problems.push(
      ...diff(
        'runtime stage package.json copies',
        manifestCopies(runtime),
        runtimeWorkspaces.map((w) => w.dir),
      ),
    )
    const runtimeCi = npmCiWorkspaces(runtime)
    if (!runtimeCi?.flags.includes('--omit=dev')) problems.push('runtime stage: no npm ci --omit=dev')
    problems.push(...diff('runtime stage npm ci --workspace', runtimeCi?.workspaces ?? [], [workspace.dir]))
    const expected = runtimeWorkspaces.flatMap((w) => w.runtimeFiles.map((f) => `/app/${w.dir}/${f}`))
    problems.push(...diff('runtime stage copies from build', fromBuild, [...expected, '/usr/bin/tini']))
    const other = contextCopies(runtime)
      .flatMap((c) => c.sources)
      .filter((s) => !s.endsWith('/package.json') && s !== 'package.json' && s !== 'package-lock.json')
    if (other.length > 0) problems.push(`runtime stage copies from the build context: ${other.join(', ')}`)
  }

  for (const copy of parsed.stages.flatMap(contextCopies)) {
    for (const source of copy.sources) {
      if (!existsSync(join(root, source))) problems.push(`line ${copy.line}: COPY ${source}: no such file`)
    }
  }

  const [uid] = (runtime.user ?? '').split(':')
  if (!/^\d+$/.test(uid ?? '') || uid === '0')
    problems.push(`runtime USER ${runtime.user}: not a numeric non-root uid`)
  if (runtime.entrypoint?.join(' ') !== '/usr/bin/tini --') problems.push('runtime ENTRYPOINT is not tini')
  if (runtime.env.NODE_ENV !== 'production') problems.push('runtime NODE_ENV is not production')
  const [command, entry] = runtime.cmd ?? []
  if (command !== 'node' || !entry?.startsWith(`${workspace.dir}/dist/`)) {
    problems.push(`runtime CMD ${JSON.stringify(runtime.cmd)}: not node ${workspace.dir}/dist/<entry>.js`)
  } else {
    const source = entry.replace('/dist/', '/src/').replace(/\.js$/, '.ts')
    if (!existsSync(join(root, source)))
      problems.push(`runtime CMD runs ${entry}, but ${source} does not exist`)
  }
  for (const stage of parsed.stages) {
    for (const name of Object.keys(stage.env)) {
      if (/AUTH_DEV_MODE|DEV_SIGNING/.test(name))
        problems.push(`ENV ${name}: development sign-in in an image`)
    }
  }
  return problems
}
