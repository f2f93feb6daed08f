import { type BaseEnv, createLogger, type Logger } from '@psa/config'
import type { Registry } from 'prom-client'
import { Health } from './health.js'
import { createMetricsRegistry } from './metrics.js'
import { ShutdownManager, ShutdownPhase } from './shutdown.js'

export interface ServiceContext {
  service: string
  logger: Logger
  health: Health
  metrics: Registry
  shutdown: ShutdownManager
}

/**
 * What every service's main.ts starts with: its logger, health, metrics and the shutdown manager, already
 * listening for signals and flipping readiness to false the moment shutdown begins.
 */
export function createServiceContext(service: string, env: BaseEnv): ServiceContext {
  const logger = createLogger({ service, level: env.LOG_LEVEL })
  const health = new Health()
  const metrics = createMetricsRegistry(service)
  const shutdown = new ShutdownManager({ logger, timeoutMs: env.SHUTDOWN_TIMEOUT_MS }).listen()
  shutdown.register('readiness', () => health.markDraining(), ShutdownPhase.STOP_ACCEPTING)
  return { service, logger, health, metrics, shutdown }
}
