import { fileURLToPath } from 'node:url'
import { createServiceContext } from '@psa/lifecycle'
import { loadWebEnv } from './env.js'
import { registerShutdownHooks, startWebServer } from './server.js'

const env = loadWebEnv()
const ctx = createServiceContext('web', env)

try {
  const web = await startWebServer({
    // The package root, from both src/ (tsx) and dist/ (node): it holds next.config.ts and .next/.
    dir: fileURLToPath(new URL('..', import.meta.url)),
    gatewayUrl: env.GATEWAY_URL,
    port: env.PORT,
    host: env.HOST,
    logger: ctx.logger,
    health: ctx.health,
    metrics: ctx.metrics,
  })
  registerShutdownHooks(ctx.shutdown, web)
} catch (err) {
  ctx.logger.fatal({ err }, 'web failed to start')
  await ctx.shutdown.shutdown('startup failed', 1)
}
