import { Counter, FAST_LATENCY_BUCKETS, Gauge, Histogram, type Registry } from '@psa/lifecycle'

export interface GatewayMetrics {
  registry: Registry
  httpDuration: Histogram<'method' | 'route' | 'status_code'>
  sseClients: Gauge
  eventsRelayed: Counter<'event_type'>
  relayLatency: Histogram<'source'>
  authFailures: Counter<'reason'>
  rateLimited: Counter
  grpcDuration: Histogram<'method' | 'code'>
}

/** The gateway's series; every name starts with `psa_gateway_` except the shared HTTP histogram. */
export function createGatewayMetrics(registry: Registry): GatewayMetrics {
  return {
    registry,
    httpDuration: new Histogram({
      name: 'psa_http_request_duration_seconds',
      help: 'HTTP request duration by route template, method and status code',
      labelNames: ['method', 'route', 'status_code'],
      buckets: FAST_LATENCY_BUCKETS,
      registers: [registry],
    }),
    sseClients: new Gauge({
      name: 'psa_gateway_sse_clients',
      help: 'Open session event streams (Server-Sent Events)',
      registers: [registry],
    }),
    eventsRelayed: new Counter({
      name: 'psa_gateway_sse_events_relayed_total',
      help: 'Session events written to SSE clients, by event type',
      labelNames: ['event_type'],
      registers: [registry],
    }),
    relayLatency: new Histogram({
      name: 'psa_gateway_event_relay_latency_seconds',
      help:
        "Time from an event's `time` to the moment it was written to the SSE socket; source=live for events " +
        'that happened while the client was connected, replay for older ones sent on (re)connect',
      labelNames: ['source'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers: [registry],
    }),
    authFailures: new Counter({
      name: 'psa_gateway_auth_failures_total',
      help: 'Requests refused because of their access token, by reason',
      labelNames: ['reason'],
      registers: [registry],
    }),
    rateLimited: new Counter({
      name: 'psa_gateway_rate_limited_total',
      help: 'Requests refused with 429 by the per-user/per-IP rate limit',
      registers: [registry],
    }),
    grpcDuration: new Histogram({
      name: 'psa_gateway_orchestrator_call_duration_seconds',
      help: 'Unary gRPC calls to the orchestrator, by method and gRPC status',
      labelNames: ['method', 'code'],
      buckets: FAST_LATENCY_BUCKETS,
      registers: [registry],
    }),
  }
}
