// The chart's `helm test`: the gateway is ready (GET /readyz answers 200) and the orchestrator's gRPC health
// service reports psa.v1.AgentService SERVING. Runs in the gateway image (working directory /app, whose
// node_modules has the gRPC client); packages/deploy-checks runs it against locally started services.
import { createRequire } from 'node:module'

const require = createRequire(`${process.cwd()}/`)
const grpc = require('@grpc/grpc-js')
const { service: healthService } = require('grpc-health-check')

const gatewayUrl = process.env.GATEWAY_URL ?? 'http://127.0.0.1:8080'
const orchestrator = process.env.ORCHESTRATOR_ADDRESS ?? '127.0.0.1:50051'
const attempts = Number(process.env.CHECK_ATTEMPTS ?? 30)

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

async function gatewayReady() {
  const res = await fetch(`${gatewayUrl}/readyz`, { signal: AbortSignal.timeout(5_000) })
  const body = await res.text()
  if (res.status !== 200) throw new Error(`gateway /readyz answered ${res.status}: ${body}`)
  return body
}

function orchestratorServing() {
  const Health = grpc.makeGenericClientConstructor(healthService, 'Health')
  const client = new Health(orchestrator, grpc.credentials.createInsecure())
  return new Promise((resolve, reject) => {
    client.check({ service: 'psa.v1.AgentService' }, { deadline: Date.now() + 5_000 }, (err, reply) => {
      client.close()
      if (err) reject(new Error(`orchestrator health check failed: ${err.message}`))
      else if (reply.status !== 'SERVING') reject(new Error(`orchestrator health is ${reply.status}`))
      else resolve(reply.status)
    })
  })
}

for (const [name, check] of [
  ['gateway readiness', gatewayReady],
  ['orchestrator gRPC health', orchestratorServing],
]) {
  for (let attempt = 1; ; attempt++) {
    try {
      await check()
      process.stdout.write(`ok: ${name}\n`)
      break
    } catch (err) {
      if (attempt >= attempts) {
        process.stderr.write(`failed: ${name}: ${err.message}\n`)
        process.exit(1)
      }
      await sleep(1_000)
    }
  }
}
