import type { KubeObject } from './helm.js'
import { matchesLabels } from './manifests.js'

/**
 * What the rendered NetworkPolicies allow, evaluated as Kubernetes does: a connection needs the source pod's
 * egress and the destination pod's ingress to allow it; a pod no policy selects (for that direction) allows
 * everything; a pod some policy selects allows only what one of its rules names.
 */

type Selector = { matchLabels?: Record<string, string> }

interface Peer {
  podSelector?: Selector
  namespaceSelector?: Selector
  ipBlock?: { cidr: string; except?: string[] }
}

interface Rule {
  from?: Peer[]
  to?: Peer[]
  ports?: { port?: number | string; protocol?: string }[]
}

interface PolicySpec {
  podSelector: Selector
  policyTypes?: string[]
  ingress?: Rule[]
  egress?: Rule[]
}

/** A pod (namespace and labels) or something outside the cluster (an IPv4 address). */
export type Endpoint =
  | { kind: 'pod'; namespace: string; labels: Record<string, string> }
  | { kind: 'external'; ip: string }

function ipv4(ip: string): number {
  return ip.split('.').reduce((n, part) => n * 256 + Number(part), 0)
}

function inCidr(ip: string, cidr: string): boolean {
  const [base = '0.0.0.0', bits = '32'] = cidr.split('/')
  const size = 2 ** (32 - Number(bits))
  return Math.floor(ipv4(ip) / size) === Math.floor(ipv4(base) / size)
}

function peerMatches(peer: Peer, policyNamespace: string, endpoint: Endpoint): boolean {
  if (peer.ipBlock) {
    return (
      endpoint.kind === 'external' &&
      inCidr(endpoint.ip, peer.ipBlock.cidr) &&
      !(peer.ipBlock.except ?? []).some((c) => inCidr(endpoint.ip, c))
    )
  }
  if (endpoint.kind !== 'pod') return false
  const namespaceOk = peer.namespaceSelector
    ? matchesLabels(peer.namespaceSelector.matchLabels, { 'kubernetes.io/metadata.name': endpoint.namespace })
    : endpoint.namespace === policyNamespace
  return namespaceOk && (!peer.podSelector || matchesLabels(peer.podSelector.matchLabels, endpoint.labels))
}

export class NetworkPolicies {
  private readonly policies: { namespace: string; spec: PolicySpec }[]

  constructor(objects: KubeObject[], namespace: string) {
    this.policies = objects
      .filter((o) => o.kind === 'NetworkPolicy')
      .map((o) => ({ namespace: o.metadata.namespace ?? namespace, spec: o.spec as PolicySpec }))
  }

  /** The policies that select a pod for one direction. */
  selecting(pod: Endpoint, direction: 'Ingress' | 'Egress') {
    if (pod.kind !== 'pod') return []
    return this.policies.filter(
      (p) =>
        p.namespace === pod.namespace &&
        (p.spec.policyTypes ?? ['Ingress']).includes(direction) &&
        matchesLabels(p.spec.podSelector.matchLabels, pod.labels),
    )
  }

  private side(pod: Endpoint, other: Endpoint, port: number, direction: 'Ingress' | 'Egress'): boolean {
    const selecting = this.selecting(pod, direction)
    if (selecting.length === 0) return true
    return selecting.some(({ namespace, spec }) =>
      (direction === 'Ingress' ? spec.ingress : spec.egress)?.some((rule) => {
        const peers = direction === 'Ingress' ? rule.from : rule.to
        const peerOk =
          !peers || peers.length === 0 || peers.some((peer) => peerMatches(peer, namespace, other))
        const portOk = !rule.ports || rule.ports.length === 0 || rule.ports.some((p) => p.port === port)
        return peerOk && portOk
      }),
    )
  }

  allows(from: Endpoint, to: Endpoint, port: number): boolean {
    return this.side(from, to, port, 'Egress') && this.side(to, from, port, 'Ingress')
  }
}
