import { existsSync, globSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import jsonPatch from 'fast-json-patch'
import { beforeAll, describe, expect, it } from 'vitest'
import { parse } from 'yaml'
import { imageBuilds, readSkaffold } from './dockerfile-checks.js'
import { type KubeObject, renderChart } from './helm.js'
import { byKind, named } from './manifests.js'
import { REPO_ROOT, readWorkspaces } from './workspaces.js'

interface Release {
  name: string
  chartPath?: string
  remoteChart?: string
  repo?: string
  version?: string
  namespace?: string
  valuesFiles?: string[]
  setValues?: Record<string, unknown>
  setValueTemplates?: Record<string, string>
  dependsOn?: string[]
}

interface Config {
  apiVersion: string
  build: {
    artifacts: { image: string; context?: string; docker?: { dockerfile: string } }[]
    local?: { push?: boolean }
  }
  deploy: { helm: { releases: Release[]; hooks?: { before?: { host?: { command: string[] } }[] } } }
  portForward: {
    resourceType: string
    resourceName: string
    namespace: string
    port: number
    localPort: number
  }[]
  profiles: { name: string; activation?: { kubeContext?: string }[]; patches: jsonPatch.Operation[] }[]
}

const config = readSkaffold() as unknown as Config
const readYaml = <T>(path: string) => parse(readFileSync(join(REPO_ROOT, path), 'utf8')) as T

/** The configuration a profile produces: skaffold applies its JSON patches to the base. */
function withProfile(name: string): Config {
  const profile = config.profiles.find((p) => p.name === name)
  if (!profile) throw new Error(`no ${name} profile`)
  return jsonPatch.applyPatch(structuredClone(config), profile.patches, true, false).newDocument
}

let devObjects: KubeObject[] = []
beforeAll(async () => {
  devObjects = await renderChart({ valuesFiles: ['k8s/dev-values.yaml'], namespace: 'psa-dev' })
}, 60_000)

describe('skaffold.yaml', () => {
  it('is on the current schema, skaffold/v4beta14', () => {
    expect(config.apiVersion).toBe('skaffold/v4beta14')
  })

  it('builds one artifact per Dockerfile, from the repository root', () => {
    const dockerfiles = globSync(['services/*/Dockerfile', 'supabase/Dockerfile', 'packages/*/Dockerfile'], {
      cwd: REPO_ROOT,
    }).sort()
    expect(config.build.artifacts.map((a) => a.docker?.dockerfile).sort()).toEqual(dockerfiles)
    for (const artifact of config.build.artifacts) expect(artifact.context, artifact.image).toBe('.')
    expect(new Set(config.build.artifacts.map((a) => a.image)).size).toBe(config.build.artifacts.length)
  })

  it('hands each built image to the chart value that deploys it, by repository and tag@digest', async () => {
    const release = config.deploy.helm.releases.find((r) => r.chartPath === 'helm')
    const templates = release?.setValueTemplates ?? {}
    const values = readYaml<Record<string, unknown>>('helm/values.yaml')
    const builds = imageBuilds(readWorkspaces())
    const prefixes = Object.keys(templates)
      .filter((k) => k.endsWith('.image.repository'))
      .map((k) => k.slice(0, -'.image.repository'.length))
    expect(prefixes).toHaveLength(builds.length)
    for (const prefix of prefixes) {
      const repository = templates[`${prefix}.image.repository`] ?? ''
      const artifact = /IMAGE_REPO_(\w+)/.exec(repository)?.[1] ?? ''
      const build = builds.find((b) => b.image.replace(/[-./:]/g, '_') === artifact)
      expect(build, `${prefix} names a built artifact`).toBeDefined()
      expect(templates[`${prefix}.image.tag`]).toBe(
        `{{.IMAGE_TAG_${artifact}}}@{{.IMAGE_DIGEST_${artifact}}}`,
      )
      // The key is an image in values.yaml whose default repository is the artifact's name.
      const image = prefix
        .split('.')
        .reduce<unknown>((v, k) => (v as Record<string, unknown>)?.[k], values) as
        | { image?: { repository?: string } }
        | undefined
      expect(image?.image?.repository, prefix).toBe(build?.image)
    }
    // What those keys set is what the rendered workloads run.
    const set = Object.fromEntries(
      prefixes.flatMap((p) => [
        [`${p}.image.repository`, `kind.local/${p}`],
        [`${p}.image.tag`, 'dev'],
      ]),
    )
    const objects = await renderChart({ set })
    const images = byKind(objects, 'Deployment').map(
      (d) =>
        (d.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0]
          ?.image,
    )
    for (const image of images) expect(image).toMatch(/^kind\.local\/[a-z.]+:dev$/)
  })

  it('forwards the web app and the gateway to the ports their Services serve', () => {
    for (const [profile, namespace] of [
      ['production', 'psa'],
      ['dev', 'psa-dev'],
    ] as const) {
      const forwards = withProfile(profile).portForward
      const release = withProfile(profile).deploy.helm.releases.find((r) => r.chartPath === 'helm')
      expect(forwards.map((f) => f.resourceName).sort()).toEqual(['psa-gateway', 'psa-web'])
      for (const forward of forwards) {
        expect(forward.namespace).toBe(release?.namespace)
        expect(forward.namespace).toBe(namespace)
        const service = named(devObjects, 'Service', forward.resourceName)
        const ports = (service.spec as { ports: { port: number }[] }).ports.map((p) => p.port)
        expect(ports).toContain(forward.port)
      }
    }
  })

  describe('the dev profile (kind)', () => {
    const dev = withProfile('dev')
    const releases = dev.deploy.helm.releases

    it('activates on the kind cluster k8s/kind-cluster.yaml creates, builds locally and pushes nothing', () => {
      const kind = readYaml<{ name: string }>('k8s/kind-cluster.yaml')
      const profile = config.profiles.find((p) => p.name === 'dev')
      expect(profile?.activation).toEqual([{ kubeContext: `kind-${kind.name}` }])
      expect(dev.build.local?.push).toBe(false)
    })

    it('deploys the official NATS chart (JetStream, one server) and the dev Postgres before the chart', () => {
      expect(releases.map((r) => r.name)).toEqual(['nats', 'psa-dev-postgres', 'psa'])
      const nats = releases[0]
      expect(nats?.remoteChart).toBe('nats')
      expect(nats?.repo).toBe('https://nats-io.github.io/k8s/helm/charts/')
      expect(nats?.version).toMatch(/^\d+\.\d+\.\d+$/)
      expect(nats?.setValues).toMatchObject({
        'config.jetstream.enabled': true,
        'config.cluster.enabled': false,
      })
      expect(releases[2]?.dependsOn).toEqual(['nats', 'psa-dev-postgres'])
      // Never a copy of the NATS chart in the repository.
      const charts = globSync('**/Chart.yaml', { cwd: REPO_ROOT, exclude: (p) => p.includes('node_modules') })
      expect(charts.map((c) => readYaml<{ name: string }>(c).name).sort()).toEqual([
        'psa-agents',
        'psa-dev-postgres',
      ])
    })

    it('points the chart at that NATS release and that Postgres, and applies the restricted namespace first', () => {
      const chart = releases[2]
      expect(chart?.valuesFiles).toEqual(['k8s/dev-values.yaml'])
      for (const file of chart?.valuesFiles ?? []) expect(existsSync(join(REPO_ROOT, file))).toBe(true)
      const values = readYaml<{ nats: { url: string }; secrets: { databaseUrl: string } }>(
        'k8s/dev-values.yaml',
      )
      expect(values.nats.url).toBe(`nats://nats.${releases[0]?.namespace}.svc.cluster.local:4222`)
      const postgres = readYaml<{ password: string; database: string }>('k8s/dev-postgres/values.yaml')
      expect(values.secrets.databaseUrl).toBe(
        `postgres://postgres:${postgres.password}@psa-dev-postgres:5432/${postgres.database}?sslmode=disable`,
      )
      expect(releases[1]?.setValueTemplates?.['setup.image.repository']).toBe('{{.IMAGE_REPO_psa_db}}')
      const namespace = readYaml<{ metadata: { name: string; labels: Record<string, string> } }>(
        'k8s/namespace.yaml',
      )
      expect(namespace.metadata.name).toBe(chart?.namespace)
      expect(namespace.metadata.labels['pod-security.kubernetes.io/enforce']).toBe('restricted')
      expect(dev.deploy.helm.hooks?.before?.[0]?.host?.command).toEqual([
        'kubectl',
        'apply',
        '-f',
        'k8s/namespace.yaml',
      ])
    })

    it("publishes the web app's and the gateway's NodePorts through kind's port mappings", () => {
      const kind = readYaml<{
        nodes: { extraPortMappings: { containerPort: number; hostPort: number }[] }[]
      }>('k8s/kind-cluster.yaml')
      const mappings = kind.nodes[0]?.extraPortMappings ?? []
      for (const name of ['psa-web', 'psa-gateway']) {
        const service = named(devObjects, 'Service', name).spec as {
          type: string
          ports: { nodePort?: number }[]
        }
        expect(service.type).toBe('NodePort')
        expect(mappings.map((m) => m.containerPort)).toContain(service.ports[0]?.nodePort)
      }
    })
  })

  describe('the production profile', () => {
    const production = withProfile('production')

    it('pushes the images and deploys only the chart, with the production values', () => {
      expect(production.build.local?.push).toBe(true)
      expect(production.deploy.helm.releases.map((r) => r.name)).toEqual(['psa'])
      expect(production.deploy.helm.releases[0]?.valuesFiles).toEqual(['k8s/production-values.yaml'])
    })
  })
})
