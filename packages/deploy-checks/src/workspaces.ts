import { existsSync, globSync, readFileSync } from 'node:fs'
import { join, posix, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The repository root (this file sits in packages/deploy-checks/src or dist). */
export const REPO_ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)))

interface PackageJson {
  name: string
  workspaces?: string[]
  dependencies?: Record<string, string>
  devDependencies?: Record<string, string>
  /** What the package needs next to package.json at run time; npm's default for us is `dist`. */
  files?: string[]
  scripts?: Record<string, string>
}

export interface Workspace {
  name: string
  /** Relative to the repository root, with forward slashes (`packages/config`). */
  dir: string
  manifest: PackageJson
  /** Directories and files (relative to `dir`) the workspace's code reads at run time. */
  runtimeFiles: string[]
  /** Workspaces its tsconfig.json references (relative to the root). */
  tsReferences: string[]
}

export function readJson<T>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T
}

export function rootManifest(root = REPO_ROOT): PackageJson {
  return readJson<PackageJson>(join(root, 'package.json'))
}

function tsReferences(root: string, dir: string): string[] {
  const file = join(root, dir, 'tsconfig.json')
  if (!existsSync(file)) return []
  const config = readJson<{ references?: { path: string }[] }>(file)
  return (config.references ?? []).map((ref) =>
    relative(root, resolve(root, dir, ref.path))
      .split('\\')
      .join('/'),
  )
}

/** Every npm workspace of the repository, by package name (the root package.json's `workspaces` globs). */
export function readWorkspaces(root = REPO_ROOT): Map<string, Workspace> {
  const workspaces = new Map<string, Workspace>()
  for (const pattern of rootManifest(root).workspaces ?? []) {
    for (const dir of globSync(pattern, { cwd: root }).sort()) {
      const file = join(root, dir, 'package.json')
      if (!existsSync(file)) continue
      const manifest = readJson<PackageJson>(file)
      const posixDir = dir.split('\\').join('/')
      workspaces.set(manifest.name, {
        name: manifest.name,
        dir: posixDir,
        manifest,
        runtimeFiles: (manifest.files ?? ['dist']).map((f) => posix.normalize(f)),
        tsReferences: tsReferences(root, posixDir),
      })
    }
  }
  return workspaces
}

/**
 * The workspace and every workspace it reaches through `dependencies` (what it imports at run time) or, with
 * `build`, also `devDependencies` and tsconfig references (what `tsc -b` compiles it with, tests included).
 */
export function workspaceClosure(
  workspaces: Map<string, Workspace>,
  name: string,
  kind: 'runtime' | 'build',
): Workspace[] {
  const byDir = new Map([...workspaces.values()].map((w) => [w.dir, w]))
  const seen = new Map<string, Workspace>()
  const visit = (workspace: Workspace) => {
    if (seen.has(workspace.name)) return
    seen.set(workspace.name, workspace)
    const { dependencies = {}, devDependencies = {} } = workspace.manifest
    const names = Object.keys(kind === 'build' ? { ...dependencies, ...devDependencies } : dependencies)
    const next = names.map((n) => workspaces.get(n))
    if (kind === 'build') next.push(...workspace.tsReferences.map((dir) => byDir.get(dir)))
    for (const w of next) if (w) visit(w)
  }
  const start = workspaces.get(name)
  if (!start) throw new Error(`no workspace named ${name}`)
  visit(start)
  return [...seen.values()].sort((a, b) => a.dir.localeCompare(b.dir))
}
