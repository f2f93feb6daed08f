import { posix } from 'node:path'
import type { ImageBuild } from './dockerfile-checks.js'
import type { KubeObject } from './helm.js'
import {
  byKind,
  type Container,
  configMapData,
  matchesLabels,
  resolvePort,
  secretData,
  type Workload,
  workloads,
} from './manifests.js'

/**
 * How each rendered Deployment runs as a local process: its container's environment exactly as Kubernetes
 * would assemble it (ConfigMaps, Secrets), with what only exists in a cluster replaced consistently: every
 * declared container port by a free local port (in the listen settings and in every Service address that
 * reaches it), NATS and Postgres by the local ones, mounted emptyDirs by temporary folders.
 */

export interface LocalProcess {
  deployment: string
  container: Container
  /** Built entry point, relative to the repository root. */
  entry: string
  env: Record<string, string>
  /** Container port -> local port. */
  ports: Map<number, number>
}

export interface LocalTargets {
  databaseUrl: string
  natsUrl: string
  /** Replaces the hosted Supabase URL (a local JWKS server). */
  supabaseUrl?: string
  /** Folder for a mounted volume, by its mount path. */
  volumeDir: (mountPath: string) => string
  freePort: () => Promise<number>
}

/** The environment a container gets from its ConfigMaps and Secrets; a missing required key throws. */
export function containerEnv(objects: KubeObject[], container: Container): Record<string, string> {
  const env: Record<string, string> = {}
  for (const source of container.envFrom ?? []) {
    if (source.configMapRef) Object.assign(env, configMapData(objects, source.configMapRef.name))
  }
  for (const entry of container.env ?? []) {
    if (entry.value !== undefined) env[entry.name] = entry.value
    const ref = entry.valueFrom?.secretKeyRef
    if (!ref) continue
    const value = secretData(objects, ref.name)[ref.key]
    if (value !== undefined) env[entry.name] = value
    else if (!ref.optional) throw new Error(`${container.name}: Secret ${ref.name} has no key ${ref.key}`)
  }
  return env
}

/** The Service host:port pairs (short and cluster-qualified names) that reach a workload's container ports. */
function serviceAddresses(objects: KubeObject[], workload: Workload, namespace: string): Map<string, number> {
  const addresses = new Map<string, number>()
  const container = workload.pod.containers[0]
  if (!container) return addresses
  for (const service of byKind(objects, 'Service')) {
    const spec = service.spec as {
      selector: Record<string, string>
      ports: { port: number; targetPort: number | string }[]
    }
    if (!matchesLabels(spec.selector, workload.labels)) continue
    for (const port of spec.ports) {
      const target = resolvePort(container, port.targetPort)
      if (target === undefined) continue
      const name = service.metadata.name
      for (const host of [
        name,
        `${name}.${namespace}`,
        `${name}.${namespace}.svc`,
        `${name}.${namespace}.svc.cluster.local`,
      ]) {
        addresses.set(`${host}:${port.port}`, target)
      }
    }
  }
  return addresses
}

export async function planLocalRun(
  objects: KubeObject[],
  builds: ImageBuild[],
  namespace: string,
  targets: LocalTargets,
): Promise<LocalProcess[]> {
  const deployments = workloads(objects).filter((w) => w.object.kind === 'Deployment')
  const processes: LocalProcess[] = []
  const reach = new Map<string, number>()
  for (const workload of deployments) {
    const container = workload.pod.containers[0]
    if (!container) continue
    const ports = new Map<number, number>()
    for (const p of container.ports ?? []) ports.set(p.containerPort, await targets.freePort())
    for (const [address, target] of serviceAddresses(objects, workload, namespace)) {
      const local = ports.get(target)
      if (local) reach.set(address, local)
    }
    const repository = container.image.split(':')[0] ?? ''
    const build = builds.find((b) => b.image === posix.basename(repository))
    if (!build) throw new Error(`${workload.object.metadata.name}: no image build for ${container.image}`)
    processes.push({
      deployment: workload.object.metadata.name,
      container,
      entry: `${build.workspace.dir}/dist/main.js`,
      env: containerEnv(objects, container),
      ports,
    })
  }
  for (const proc of processes) {
    const mounts = proc.container.volumeMounts ?? []
    for (const [name, value] of Object.entries(proc.env)) {
      let local = value
      // Longest first, so `psa-gateway.psa.svc:8080` is not half-replaced by `psa-gateway:8080`.
      for (const [address, port] of [...reach].sort((a, b) => b[0].length - a[0].length)) {
        local = local.replaceAll(address, `127.0.0.1:${port}`)
      }
      const listen = proc.ports.get(Number(value))
      if (/^\d+$/.test(value) && listen !== undefined && /PORT$/.test(name)) local = String(listen)
      for (const mount of mounts) {
        if (local.startsWith(mount.mountPath))
          local = targets.volumeDir(mount.mountPath) + local.slice(mount.mountPath.length)
      }
      if (/^(OPS_)?HOST$/.test(name) && value === '0.0.0.0') local = '127.0.0.1'
      proc.env[name] = local
    }
    if ('DATABASE_URL' in proc.env) proc.env.DATABASE_URL = targets.databaseUrl
    if ('NATS_URL' in proc.env) proc.env.NATS_URL = targets.natsUrl
    if (
      targets.supabaseUrl &&
      proc.env.SUPABASE_URL &&
      !proc.env.SUPABASE_URL.startsWith('http://127.0.0.1')
    ) {
      proc.env.SUPABASE_URL = targets.supabaseUrl
    }
  }
  return processes
}

/** The local address a Service address (`psa-gateway:8080`) stands for in a plan. */
export function localAddress(
  processes: LocalProcess[],
  objects: KubeObject[],
  namespace: string,
  address: string,
): string {
  for (const workload of workloads(objects).filter((w) => w.object.kind === 'Deployment')) {
    const target = serviceAddresses(objects, workload, namespace).get(address)
    const proc = processes.find((p) => p.deployment === workload.object.metadata.name)
    const local = target === undefined ? undefined : proc?.ports.get(target)
    if (local) return `127.0.0.1:${local}`
  }
  throw new Error(`no Service answers at ${address}`)
}
