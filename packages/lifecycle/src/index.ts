export { type CheckResult, Health, type HealthCheck, type ReadinessReport } from './health.js'
export {
  Counter,
  createMetricsRegistry,
  FAST_LATENCY_BUCKETS,
  Gauge,
  Histogram,
  type Registry,
  SLOW_LATENCY_BUCKETS,
} from './metrics.js'
export { type OpsServer, startOpsServer } from './ops-server.js'
export { createServiceContext, type ServiceContext } from './service.js'
export { type ShutdownHook, ShutdownManager, type ShutdownManagerOptions, ShutdownPhase } from './shutdown.js'
export { StreamQuota } from './stream-quota.js'
