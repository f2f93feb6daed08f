import type { KubeObject } from './helm.js'

/** The parts of the rendered objects the checks read (the schema check has already validated them). */
export interface Probe {
  httpGet?: { path: string; port: number | string }
  grpc?: { port: number; service?: string }
  exec?: { command: string[] }
}

export interface Container {
  name: string
  image: string
  ports?: { name?: string; containerPort: number }[]
  env?: {
    name: string
    value?: string
    valueFrom?: { secretKeyRef?: { name: string; key: string; optional?: boolean } }
  }[]
  envFrom?: { configMapRef?: { name: string } }[]
  livenessProbe?: Probe
  readinessProbe?: Probe
  startupProbe?: Probe
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> }
  securityContext?: SecurityContext
  lifecycle?: { preStop?: { sleep?: { seconds: number } } }
  volumeMounts?: { name: string; mountPath: string }[]
}

export interface SecurityContext {
  runAsNonRoot?: boolean
  runAsUser?: number
  readOnlyRootFilesystem?: boolean
  allowPrivilegeEscalation?: boolean
  capabilities?: { drop?: string[]; add?: string[] }
  seccompProfile?: { type: string }
}

export interface PodSpec {
  containers: Container[]
  serviceAccountName?: string
  automountServiceAccountToken?: boolean
  securityContext?: SecurityContext
  terminationGracePeriodSeconds?: number
}

export interface Workload {
  object: KubeObject
  labels: Record<string, string>
  pod: PodSpec
}

/** Every object that runs pods (Deployments, Jobs, bare Pods such as the test hook), with its pod labels. */
export function workloads(objects: KubeObject[]): Workload[] {
  return objects.flatMap((object) => {
    const spec = object.spec as
      | { template?: { metadata?: { labels?: Record<string, string> }; spec: PodSpec } }
      | PodSpec
      | undefined
    if (object.kind === 'Pod') {
      return [{ object, labels: object.metadata.labels ?? {}, pod: spec as PodSpec }]
    }
    if (object.kind === 'Deployment' || object.kind === 'Job') {
      const template = (
        spec as { template: { metadata?: { labels?: Record<string, string> }; spec: PodSpec } }
      ).template
      return [{ object, labels: template.metadata?.labels ?? {}, pod: template.spec }]
    }
    return []
  })
}

export function byKind(objects: KubeObject[], kind: string): KubeObject[] {
  return objects.filter((o) => o.kind === kind)
}

export function named(objects: KubeObject[], kind: string, name: string): KubeObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name)
  if (!found) throw new Error(`no ${kind}/${name} rendered`)
  return found
}

export function configMapData(objects: KubeObject[], name: string): Record<string, string> {
  return (named(objects, 'ConfigMap', name).data as Record<string, string> | undefined) ?? {}
}

export function secretData(objects: KubeObject[], name: string): Record<string, string> {
  const data = (named(objects, 'Secret', name).data as Record<string, string> | undefined) ?? {}
  return Object.fromEntries(
    Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]),
  )
}

/** A container's security settings as Kubernetes applies them: the container's own over the pod's. */
export function effectiveSecurity(pod: PodSpec, container: Container): SecurityContext {
  return { ...pod.securityContext, ...container.securityContext }
}

/** The container port a probe (or Service) names, by number or by port name. */
export function resolvePort(container: Container, port: number | string): number | undefined {
  if (typeof port === 'number')
    return container.ports?.some((p) => p.containerPort === port) ? port : undefined
  return container.ports?.find((p) => p.name === port)?.containerPort
}

export function matchesLabels(
  selector: Record<string, string> | undefined,
  labels: Record<string, string>,
): boolean {
  return Object.entries(selector ?? {}).every(([k, v]) => labels[k] === v)
}
