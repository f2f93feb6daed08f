import { createServiceContext, ShutdownPhase, startOpsServer } from '@psa/lifecycle'
import { loadOrchestratorEnv } from './env.js'
import { createOrchestratorAgentWorker } from './orchestrator-agent/worker.js'
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
  if (env.ORCHESTRATOR_AGENT_ENABLED) {
    const agent = createOrchestratorAgentWorker({
      env,
      nats: orchestrator.nats,
      db: orchestrator.db,
      topology: orchestrator.topology,
      logger: ctx.logger,
      registry: ctx.metrics,
    })
    ctx.shutdown.register(
      'orchestrator agent: stop pulling',
      () => agent.loop.stop(),
      ShutdownPhase.STOP_ACCEPTING,
    )
    // Requests still waiting for their specialists are handed back; their children keep running and the
    // next attempt (on another replica) re-attaches to them.
    ctx.shutdown.register(
      'orchestrator agent: drain',
      async () => {
        await agent.stop(env.ORCHESTRATOR_AGENT_DRAIN_TIMEOUT_MS)
      },
      ShutdownPhase.DRAIN_WORK,
    )
    agent.start()
    ctx.logger.info(
      { concurrency: env.ORCHESTRATOR_AGENT_CONCURRENCY, model_provider: env.AGENT_MODEL_PROVIDER },
      'orchestrator agent started',
    )
  }
} catch (err) {
  ctx.logger.fatal({ err }, 'orchestrator failed to start')
  await ctx.shutdown.shutdown('startup failed', 1)
}
