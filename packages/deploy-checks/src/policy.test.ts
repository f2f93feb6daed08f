import { PipelineTopology, pipelineEnvSchema } from '@psa/agent-pipeline'
import { AGENT_TYPES } from '@psa/proto'
import { beforeAll, describe, expect, it } from 'vitest'
import { type KubeObject, renderChart } from './helm.js'
import {
  byKind,
  configMapData,
  effectiveSecurity,
  matchesLabels,
  named,
  resolvePort,
  workloads,
} from './manifests.js'
import { type Endpoint, NetworkPolicies } from './network-policy.js'
import { VALUE_SETS } from './value-sets.js'

const rendered = new Map<string, KubeObject[]>()
const AGENTS = ['project', 'resourcing', 'quotes'] as const

beforeAll(async () => {
  const all = await Promise.all(VALUE_SETS.map((set) => renderChart(set)))
  VALUE_SETS.forEach((set, i) => {
    rendered.set(set.name, all[i] ?? [])
  })
}, 120_000)

const objectsOf = (set: string) => rendered.get(set) ?? []
const setNames = VALUE_SETS.map((s) => s.name)

describe.each(setNames)('the %s value set', (set) => {
  it('every container of every workload has probes (Deployments), resources, and runs non-root with a read-only root filesystem', () => {
    const problems: string[] = []
    for (const { object, pod } of workloads(objectsOf(set))) {
      const where = (c: { name: string }) => `${object.kind}/${object.metadata.name}/${c.name}`
      if (pod.automountServiceAccountToken !== false)
        problems.push(`${object.kind}/${object.metadata.name}: token mounted`)
      for (const c of pod.containers) {
        const sc = effectiveSecurity(pod, c)
        if (object.kind === 'Deployment') {
          if (!c.livenessProbe) problems.push(`${where(c)}: no liveness probe`)
          if (!c.readinessProbe) problems.push(`${where(c)}: no readiness probe`)
          for (const probe of [c.livenessProbe, c.readinessProbe, c.startupProbe]) {
            const port = probe?.httpGet?.port ?? probe?.grpc?.port
            if (port !== undefined && resolvePort(c, port) === undefined) {
              problems.push(`${where(c)}: a probe names port ${port}, which the container does not declare`)
            }
          }
        }
        if (!c.resources?.requests?.cpu || !c.resources.requests.memory)
          problems.push(`${where(c)}: no requests`)
        if (!c.resources?.limits?.memory) problems.push(`${where(c)}: no memory limit`)
        if (sc.runAsNonRoot !== true) problems.push(`${where(c)}: may run as root`)
        if (sc.readOnlyRootFilesystem !== true) problems.push(`${where(c)}: writable root filesystem`)
        if (sc.allowPrivilegeEscalation !== false) problems.push(`${where(c)}: privilege escalation allowed`)
        if (!sc.capabilities?.drop?.includes('ALL')) problems.push(`${where(c)}: capabilities not dropped`)
        if (sc.seccompProfile?.type !== 'RuntimeDefault')
          problems.push(`${where(c)}: no RuntimeDefault seccomp`)
      }
    }
    expect(problems).toEqual([])
  })

  it('every Deployment has its own ServiceAccount without a token, and a Service selecting its pods', () => {
    const objects = objectsOf(set)
    for (const { object, labels, pod } of workloads(objects).filter((w) => w.object.kind === 'Deployment')) {
      const account = named(objects, 'ServiceAccount', pod.serviceAccountName ?? '')
      expect(account.automountServiceAccountToken).toBe(false)
      const services = byKind(objects, 'Service').filter((s) =>
        matchesLabels((s.spec as { selector: Record<string, string> }).selector, labels),
      )
      expect(
        services.map((s) => s.metadata.name),
        object.metadata.name,
      ).toEqual([object.metadata.name])
    }
  })

  it('each agent has its own Deployment and scales on its own JetStream consumer, named as the topology names it', () => {
    const objects = objectsOf(set)
    const topology = new PipelineTopology(pipelineEnvSchema.parse(configMapData(objects, 'psa-orchestrator')))
    const consumers = new Set<string>()
    const agentTypes = new Set<string>()
    for (const agent of AGENTS) {
      const name = `psa-agent-${agent}`
      const deployment = named(objects, 'Deployment', name)
      const config = configMapData(objects, name)
      expect(config.PIPELINE_NAMESPACE).toBe(topology.namespace)
      const scaled = byKind(objects, 'ScaledObject').filter(
        (o) => (o.spec as { scaleTargetRef: { name: string } }).scaleTargetRef.name === name,
      )
      const hpas = byKind(objects, 'HorizontalPodAutoscaler').filter(
        (o) => (o.spec as { scaleTargetRef: { name: string } }).scaleTargetRef.name === name,
      )
      const replicas = (deployment.spec as { replicas?: number }).replicas
      if (scaled.length === 1) {
        const spec = scaled[0]?.spec as {
          triggers: { type: string; metadata: Record<string, string> }[]
          minReplicaCount: number
          maxReplicaCount: number
        }
        const trigger = spec.triggers[0]
        expect(spec.triggers).toHaveLength(1)
        expect(trigger?.type).toBe('nats-jetstream')
        const meta = trigger?.metadata ?? {}
        for (const key of ['natsServerMonitoringEndpoint', 'account', 'stream', 'consumer', 'lagThreshold']) {
          expect(meta[key], `${name} trigger ${key}`).toBeTruthy()
        }
        expect(meta.stream).toBe(topology.requestsStream)
        const agentType = AGENT_TYPES.find((t) => topology.consumerName(t) === meta.consumer)
        expect(agentType, `${meta.consumer} is a consumer the topology creates`).toBeDefined()
        consumers.add(meta.consumer ?? '')
        agentTypes.add(agentType ?? '')
        expect(spec.maxReplicaCount).toBeGreaterThanOrEqual(spec.minReplicaCount)
        expect(hpas).toHaveLength(0)
        expect(replicas, 'KEDA owns the replica count').toBeUndefined()
      } else {
        expect(scaled).toHaveLength(0)
        expect(hpas.length + (replicas === undefined ? 0 : 1), `${name}: one source of replicas`).toBe(1)
      }
    }
    if (consumers.size > 0) {
      expect(consumers.size).toBe(AGENTS.length)
      expect([...agentTypes].sort()).toEqual(['project_management', 'quotes', 'resourcing'])
    }
  })

  it('the orchestrator and the workers agree on the pipeline, and the stream replicas reach the topology', () => {
    const objects = objectsOf(set)
    const orchestrator = configMapData(objects, 'psa-orchestrator')
    for (const agent of AGENTS) {
      const worker = configMapData(objects, `psa-agent-${agent}`)
      for (const key of Object.keys(orchestrator).filter(
        (k) => k.startsWith('PIPELINE_') || k === 'NATS_URL',
      )) {
        expect(worker[key], `${agent} ${key}`).toBe(orchestrator[key])
      }
    }
    const topology = new PipelineTopology(pipelineEnvSchema.parse(orchestrator))
    expect(topology.requestsStreamConfig().num_replicas).toBe(Number(orchestrator.PIPELINE_STREAM_REPLICAS))
    expect(topology.eventsStreamConfig().num_replicas).toBe(Number(orchestrator.PIPELINE_STREAM_REPLICAS))
  })

  it('the orchestrator is probed over native gRPC health; web and gateway drain before SIGTERM', () => {
    const objects = objectsOf(set)
    const orchestrator = workloads(objects).find((w) => w.object.metadata.name === 'psa-orchestrator')
    const container = orchestrator?.pod.containers[0]
    expect(container?.readinessProbe?.grpc).toEqual({
      port: resolvePort(container ?? { name: '', image: '' }, 'grpc'),
      service: 'psa.v1.AgentService',
    })
    expect(container?.livenessProbe?.httpGet).toEqual({ path: '/healthz', port: 'ops' })
    for (const name of ['psa-web', 'psa-gateway']) {
      const w = workloads(objects).find((x) => x.object.metadata.name === name)
      const c = w?.pod.containers[0]
      expect(c?.readinessProbe?.httpGet?.path).toBe('/readyz')
      expect(c?.livenessProbe?.httpGet?.path).toBe('/healthz')
      const pause = c?.lifecycle?.preStop?.sleep?.seconds ?? 0
      expect(pause).toBeGreaterThan(0)
      const shutdownS = Number(configMapData(objects, name).SHUTDOWN_TIMEOUT_MS) / 1000
      expect(w?.pod.terminationGracePeriodSeconds).toBeGreaterThan(pause + shutdownS)
    }
  })
})

describe('defaults', () => {
  it('the web app and the gateway autoscale on CPU and every Deployment has a PodDisruptionBudget', () => {
    const objects = objectsOf('defaults')
    const hpaTargets = byKind(objects, 'HorizontalPodAutoscaler').map(
      (o) => (o.spec as { scaleTargetRef: { name: string } }).scaleTargetRef.name,
    )
    expect(hpaTargets.sort()).toEqual(['psa-gateway', 'psa-web'])
    for (const { object, labels } of workloads(objects).filter((w) => w.object.kind === 'Deployment')) {
      const pdbs = byKind(objects, 'PodDisruptionBudget').filter((p) =>
        matchesLabels(
          (p.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels,
          labels,
        ),
      )
      expect(pdbs, object.metadata.name).toHaveLength(1)
    }
  })

  it('the migration Job runs the Supabase CLI before install and upgrade, never the dev bootstrap', () => {
    const job = named(objectsOf('defaults'), 'Job', 'psa-migrations')
    expect(job.metadata.annotations?.['helm.sh/hook']).toBe('pre-install,pre-upgrade')
    const text = JSON.stringify(job.spec)
    expect(text).toContain('supabase db push')
    expect(text).not.toMatch(/cli\.js|setup|bootstrap/)
  })
})

describe('images', () => {
  it('every image comes from the values: registry, per-service repository and tag', async () => {
    const objects = await renderChart({
      set: { 'image.registry': 'registry.test/acme', 'image.tag': 'v9', 'agents.quotes.image.tag': 'q1' },
    })
    const images = workloads(objects).flatMap((w) =>
      w.pod.containers.map((c) => [w.object.metadata.name, c.image] as const),
    )
    expect(images.length).toBeGreaterThan(7)
    for (const [name, image] of images)
      expect(image, name).toMatch(/^registry\.test\/acme\/psa-[a-z-]+:(v9|q1)$/)
    expect(Object.fromEntries(images)).toMatchObject({
      'psa-web': 'registry.test/acme/psa-web:v9',
      'psa-gateway': 'registry.test/acme/psa-gateway:v9',
      'psa-orchestrator': 'registry.test/acme/psa-orchestrator:v9',
      'psa-agent-project': 'registry.test/acme/psa-agent-project:v9',
      'psa-agent-resourcing': 'registry.test/acme/psa-agent-resourcing:v9',
      'psa-agent-quotes': 'registry.test/acme/psa-agent-quotes:q1',
      'psa-migrations': 'registry.test/acme/psa-db:v9',
    })
  })
})

describe('development sign-in', () => {
  it('is off in the production value set and in the defaults', () => {
    for (const set of ['production', 'defaults']) {
      const objects = objectsOf(set)
      const gateway = configMapData(objects, 'psa-gateway')
      expect(gateway.AUTH_DEV_MODE).toBe('false')
      expect(gateway.NODE_ENV).toBe('production')
      expect(gateway.DEV_SIGNING_KEY_PATH).toBeUndefined()
      expect(JSON.stringify(objects)).not.toContain('psa-dev-auth')
    }
  })

  it('is on only where the kind dev values ask for it', () => {
    const gateway = configMapData(objectsOf('kind-dev'), 'psa-gateway')
    expect(gateway.AUTH_DEV_MODE).toBe('true')
    expect(gateway.NODE_ENV).toBe('development')
  })
})

describe('network policies', () => {
  const pod = (component: string, namespace = 'psa'): Endpoint => ({
    kind: 'pod',
    namespace,
    labels: {
      'app.kubernetes.io/name': 'psa-agents',
      'app.kubernetes.io/instance': 'psa',
      'app.kubernetes.io/component': component,
    },
  })
  const nats: Endpoint = { kind: 'pod', namespace: 'nats', labels: { 'app.kubernetes.io/name': 'nats' } }
  const dns: Endpoint = { kind: 'pod', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns' } }
  const internet: Endpoint = { kind: 'external', ip: '203.0.113.7' }
  const agents = AGENTS.map((a) => pod(`agent-${a}`))

  it('deny by default: every pod of the release is selected for ingress and egress', () => {
    const policies = new NetworkPolicies(objectsOf('defaults'), 'psa')
    for (const component of [
      'web',
      'gateway',
      'orchestrator',
      'migrations',
      'test',
      ...AGENTS.map((a) => `agent-${a}`),
    ]) {
      expect(policies.selecting(pod(component), 'Ingress').length, component).toBeGreaterThan(0)
      expect(policies.selecting(pod(component), 'Egress').length, component).toBeGreaterThan(0)
    }
  })

  it('allows web -> gateway -> orchestrator, the orchestrator and agents -> NATS, Postgres, DNS; nothing else', () => {
    const p = new NetworkPolicies(objectsOf('defaults'), 'psa')
    const allowed: [Endpoint, Endpoint, number][] = [
      [internet, pod('web'), 3000],
      [pod('web'), pod('gateway'), 8080],
      [pod('gateway'), pod('orchestrator'), 50051],
      [pod('orchestrator'), nats, 4222],
      ...agents.map((a) => [a, nats, 4222] as [Endpoint, Endpoint, number]),
      ...[pod('gateway'), pod('orchestrator'), ...agents, pod('migrations')].map(
        (a) => [a, internet, 5432] as [Endpoint, Endpoint, number],
      ),
      [pod('gateway'), internet, 443],
      [pod('orchestrator'), internet, 443],
      [pod('test'), pod('gateway'), 8080],
      [pod('test'), pod('orchestrator'), 50051],
      ...[pod('web'), pod('gateway'), pod('orchestrator'), ...agents].map(
        (a) => [a, dns, 53] as [Endpoint, Endpoint, number],
      ),
    ]
    const denied: [Endpoint, Endpoint, number][] = [
      [internet, pod('gateway'), 8080],
      [internet, pod('orchestrator'), 50051],
      [pod('web'), pod('orchestrator'), 50051],
      [pod('web'), internet, 5432],
      [pod('web'), nats, 4222],
      [pod('gateway'), nats, 4222],
      [pod('agent-project'), pod('gateway'), 8080],
      [pod('agent-project'), pod('orchestrator'), 50051],
      // The offline model needs no network.
      [pod('agent-quotes'), internet, 443],
      [pod('orchestrator'), pod('gateway'), 8080],
      [pod('migrations'), nats, 4222],
    ]
    for (const [from, to, port] of allowed)
      expect(p.allows(from, to, port), JSON.stringify({ from, to, port })).toBe(true)
    for (const [from, to, port] of denied)
      expect(p.allows(from, to, port), JSON.stringify({ from, to, port })).toBe(false)
  })

  it('with a model provider the orchestrator and the agents reach it; NATS elsewhere is reached by its CIDR', () => {
    const p = new NetworkPolicies(objectsOf('external-nats'), 'psa')
    for (const from of [pod('orchestrator'), ...agents]) {
      expect(p.allows(from, internet, 443)).toBe(true)
      expect(p.allows(from, { kind: 'external', ip: '10.20.0.5' }, 4222)).toBe(true)
      expect(p.allows(from, nats, 4222)).toBe(false)
    }
    expect(p.allows(pod('web'), internet, 443)).toBe(false)
  })

  it('on kind: the dev Postgres pod is the database, and the orchestrator reads the gateway dev JWKS', () => {
    const p = new NetworkPolicies(objectsOf('kind-dev'), 'psa-dev')
    const devPod = (component: string) => ({ ...pod(component), namespace: 'psa-dev' }) as Endpoint
    const postgres: Endpoint = {
      kind: 'pod',
      namespace: 'psa-dev',
      labels: {
        'app.kubernetes.io/name': 'psa-dev-postgres',
        'app.kubernetes.io/instance': 'psa-dev-postgres',
      },
    }
    for (const c of ['gateway', 'orchestrator', ...AGENTS.map((a) => `agent-${a}`)]) {
      expect(p.allows(devPod(c), postgres, 5432), c).toBe(true)
      expect(p.allows(devPod(c), internet, 5432), c).toBe(false)
    }
    expect(p.allows(devPod('orchestrator'), devPod('gateway'), 8080)).toBe(true)
  })
})
