import { FAST_LATENCY_BUCKETS, Histogram, type Registry } from '@psa/lifecycle'
import { GATEWAY_READINESS_PATH } from './gateway-paths.js'

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])

/**
 * The `route` label is a small fixed set, never the raw path: every distinct label value is a new time
 * series, and page paths (project ids, typos, scanners) are unbounded.
 */
export function routeLabel(path: string): string {
  if (path === '/healthz' || path === '/readyz' || path === '/metrics') return path
  if (path === GATEWAY_READINESS_PATH) return path
  if (path === '/api' || path.startsWith('/api/')) return '/api/*'
  if (path.startsWith('/_next/static/')) return '/_next/static/*'
  if (path.startsWith('/_next/')) return '/_next/*'
  return 'page'
}

export type RequestDurationHistogram = Histogram<'method' | 'route' | 'status_code'>

export function createRequestDurationHistogram(registry: Registry): RequestDurationHistogram {
  return new Histogram({
    name: 'http_request_duration_seconds',
    help: 'Time from receiving an HTTP request to the end of its response (event streams: until they close).',
    labelNames: ['method', 'route', 'status_code'],
    buckets: FAST_LATENCY_BUCKETS,
    registers: [registry],
  })
}

export function methodLabel(method: string | undefined): string {
  return method && METHODS.has(method) ? method : 'OTHER'
}
