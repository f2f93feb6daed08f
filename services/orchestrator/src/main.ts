import { createServiceContext, ShutdownPhase, startOpsServer } from '@psa/lifecycle'
import { loadOrchestratorEnv } from './env.js'
import { startOrchestrator } from './server.js'

const env = loadOrchestratorEnv()
const ctx = createServiceContext('orchestrator', env)

try {
  const ops = await startOpsServer({
    port: env.OPS_PORT,
    host: env.HOST,
    health: ctx.health,
    registry: ctx.metrics,
    logger: ctx.logger,
  })
  ctx.shutdown.register('ops server', () => ops.close(), ShutdownPhase.FINAL)
  const orchestrator = await startOrchestrator({
    env,
    logger: ctx.logger,
    health: ctx.health,
    registry: ctx.metrics,
  })
  // Leave the later phases part of the shutdown budget.
  const grace = Math.max(1_000, Math.floor(env.SHUTDOWN_TIMEOUT_MS * 0.6))
  ctx.shutdown.register('grpc server', () => orchestrator.stopAccepting(grace), ShutdownPhase.STOP_ACCEPTING)
  ctx.shutdown.register('background work', () => orchestrator.drain(), ShutdownPhase.DRAIN_WORK)
  ctx.shutdown.register(
    'nats and postgres',
    () => orchestrator.closeConnections(),
    ShutdownPhase.CLOSE_CONNECTIONS,
  )
} catch (err) {
  ctx.logger.fatal({ err }, 'orchestrator failed to start')
  await ctx.shutdown.shutdown('startup failed', 1)
}
