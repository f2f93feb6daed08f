import { type ChildProcess, execFile, spawn } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { createServer, Socket } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import * as grpc from '@grpc/grpc-js'
import { deleteTopology, PipelineTopology, pipelineEnvSchema } from '@psa/agent-pipeline'
import { startJwksServer } from '@psa/auth/testing'
import { createLogger } from '@psa/config'
import { connectNats, type NatsClients } from '@psa/nats'
import { testDatabaseUrl } from '@psa/test-kit'
import { service as healthService } from 'grpc-health-check'
import { exportJWK, generateKeyPair } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { imageBuilds } from './dockerfile-checks.js'
import { type KubeObject, type RenderOptions, renderChart } from './helm.js'
import { type LocalProcess, localAddress, planLocalRun } from './local-run.js'
import { byKind, configMapData, type Probe, resolvePort, workloads } from './manifests.js'
import { REPO_ROOT, readWorkspaces } from './workspaces.js'

/**
 * The chart as a contract with the services: render it, start every Deployment's service from its built entry
 * with exactly the environment the manifest gives it (addresses pointed at the local Postgres and NATS, ports
 * free), and check that the declared ports are served and the probes answer as declared.
 */

const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222'

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })
}

async function eventually<T>(what: string, attempt: () => Promise<T>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  let last: unknown
  while (Date.now() < deadline) {
    try {
      return await attempt()
    } catch (err) {
      last = err
      await new Promise((r) => setTimeout(r, 250))
    }
  }
  throw new Error(`${what}: ${(last as Error)?.message ?? last}`)
}

function tcpConnect(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = new Socket()
    socket.once('error', reject)
    socket.connect(port, '127.0.0.1', () => {
      socket.destroy()
      resolve()
    })
  })
}

function grpcHealth(port: number, serviceName: string): Promise<string> {
  const Health = grpc.makeGenericClientConstructor(healthService, 'Health')
  const client = new Health(`127.0.0.1:${port}`, grpc.credentials.createInsecure())
  // The generic client's methods are typed as optional; Check is the health service's one unary call.
  const check = client.check as (
    request: { service: string },
    options: grpc.CallOptions,
    callback: (err: Error | null, reply: { status: string }) => void,
  ) => void
  return new Promise((resolve, reject) => {
    check.call(
      client,
      { service: serviceName },
      { deadline: Date.now() + 3_000 },
      (err: Error | null, reply: { status: string }) => {
        client.close()
        if (err) reject(err)
        else resolve(reply.status)
      },
    )
  })
}

/** Answers a probe as the kubelet would: 2xx/3xx for HTTP, SERVING for gRPC. */
async function probe(service: LocalProcess, spec: Probe): Promise<void> {
  if (spec.httpGet) {
    const port = service.ports.get(resolvePort(service.container, spec.httpGet.port) ?? -1)
    const res = await fetch(`http://127.0.0.1:${port}${spec.httpGet.path}`, {
      signal: AbortSignal.timeout(3_000),
    })
    await res.body?.cancel()
    if (res.status < 200 || res.status >= 400) throw new Error(`${spec.httpGet.path} answered ${res.status}`)
  } else if (spec.grpc) {
    const port = service.ports.get(spec.grpc.port) ?? -1
    const status = await grpcHealth(port, spec.grpc.service ?? '')
    if (status !== 'SERVING') throw new Error(`gRPC health ${status}`)
  } else {
    throw new Error(`unsupported probe ${JSON.stringify(spec)}`)
  }
}

/**
 * One run of the whole release: the production-like defaults (hosted Supabase stood in for by a local JWKS
 * server) or the kind dev values (the gateway's development sign-in, whose JWKS the orchestrator reads through
 * the gateway's Service).
 */
function conformance(name: string, options: RenderOptions, suffix: string) {
  const NAMESPACE = options.namespace ?? 'psa'
  const pipelineNamespace = `k8sconf${suffix}${process.pid}`
  describe(name, () => {
    let objects: KubeObject[] = []
    let plan: LocalProcess[] = []
    const running = new Map<string, { child: ChildProcess; lines: string[]; exit: Promise<number | null> }>()
    let jwks: Awaited<ReturnType<typeof startJwksServer>> | undefined
    let nats: NatsClients | undefined
    const scratch = mkdtempSync(join(tmpdir(), 'psa-conformance-'))

    beforeAll(async () => {
      const { publicKey } = await generateKeyPair('ES256', { extractable: true })
      jwks = await startJwksServer({
        keys: [{ ...(await exportJWK(publicKey)), kid: 'conformance', alg: 'ES256', use: 'sig' }],
      })
      objects = await renderChart({
        ...options,
        namespace: NAMESPACE,
        set: { ...options.set, 'config.pipeline.namespace': pipelineNamespace },
      })
      plan = await planLocalRun(objects, imageBuilds(readWorkspaces()), NAMESPACE, {
        databaseUrl: testDatabaseUrl(),
        natsUrl,
        supabaseUrl: jwks.origin,
        volumeDir: (mountPath) => mkdtempSync(join(scratch, mountPath.replaceAll('/', '_'))),
        freePort,
      })
      const unbuilt = plan.filter((p) => !existsSync(join(REPO_ROOT, p.entry))).map((p) => p.entry)
      if (unbuilt.length > 0) throw new Error(`not built: ${unbuilt.join(', ')}; run \`npm run build\` first`)
      for (const service of plan) {
        const child = spawn(process.execPath, [service.entry], {
          cwd: REPO_ROOT,
          env: { ...service.env, PATH: process.env.PATH ?? '' },
          stdio: ['ignore', 'pipe', 'pipe'],
        })
        const lines: string[] = []
        for (const stream of [child.stdout, child.stderr]) {
          stream
            ?.setEncoding('utf8')
            .on('data', (chunk: string) => lines.push(...chunk.split('\n').filter(Boolean)))
        }
        const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)))
        running.set(service.deployment, { child, lines, exit })
      }
      nats = await connectNats({
        env: { NATS_URL: natsUrl },
        name: 'deploy-checks-conformance',
        logger: createLogger({ service: 'deploy-checks', level: 'silent' }),
      })
    }, 120_000)

    afterAll(async () => {
      for (const { child } of running.values()) if (child.exitCode === null) child.kill('SIGKILL')
      if (nats) {
        await deleteTopology(
          nats.jsm,
          new PipelineTopology(pipelineEnvSchema.parse({ PIPELINE_NAMESPACE: pipelineNamespace })),
        )
        await nats.close()
      }
      await jwks?.close()
      rmSync(scratch, { recursive: true, force: true })
    })

    const logsOf = (deployment: string) => running.get(deployment)?.lines.join('\n') ?? ''

    describe('each Deployment run locally with the environment its manifest gives it', () => {
      it('starts one process per Deployment, from the built entry of the image its container runs', () => {
        expect(plan.map((p) => p.deployment).sort()).toEqual(
          byKind(objects, 'Deployment')
            .map((d) => d.metadata.name)
            .sort(),
        )
        expect(plan.map((p) => p.entry).sort()).toEqual([
          'services/agent-project/dist/main.js',
          'services/agent-quotes/dist/main.js',
          'services/agent-resourcing/dist/main.js',
          'services/gateway/dist/main.js',
          'services/orchestrator/dist/main.js',
          'services/web/dist/main.js',
        ])
      })

      it('every probe answers as the manifest declares: liveness and startup, then readiness once the dependencies are up', async () => {
        for (const service of plan) {
          const { livenessProbe, startupProbe, readinessProbe } = service.container
          for (const spec of [startupProbe, livenessProbe, readinessProbe]) {
            if (!spec) continue
            await eventually(
              `${service.deployment} ${JSON.stringify(spec)}\n${logsOf(service.deployment)}`,
              () => probe(service, spec),
            )
          }
        }
      }, 150_000)

      it('every declared container port is served', async () => {
        for (const service of plan) {
          for (const [containerPort, local] of service.ports) {
            await eventually(
              `${service.deployment} port ${containerPort}\n${logsOf(service.deployment).slice(-3000)}`,
              () => tcpConnect(local),
              10_000,
            )
          }
        }
      })

      it("the chart's `helm test` hook passes against them", async () => {
        const test = workloads(objects).find((w) => w.object.kind === 'Pod')
        const container = test?.pod.containers[0]
        const env = Object.fromEntries((container?.env ?? []).map((e) => [e.name, e.value ?? '']))
        const gatewayUrl = new URL(env.GATEWAY_URL ?? '')
        const run = promisify(execFile)
        const { stdout } = await run(process.execPath, ['helm/files/check-health.mjs'], {
          cwd: REPO_ROOT,
          env: {
            PATH: process.env.PATH ?? '',
            GATEWAY_URL: `http://${localAddress(plan, objects, NAMESPACE, gatewayUrl.host)}`,
            ORCHESTRATOR_ADDRESS: localAddress(plan, objects, NAMESPACE, env.ORCHESTRATOR_ADDRESS ?? ''),
            CHECK_ATTEMPTS: '20',
          },
        })
        expect(stdout).toContain('ok: gateway readiness')
        expect(stdout).toContain('ok: orchestrator gRPC health')
      }, 60_000)

      it('each agent worker pulls the very consumer its ScaledObject scales on', async () => {
        const topology = new PipelineTopology(
          pipelineEnvSchema.parse(configMapData(objects, 'psa-orchestrator')),
        )
        for (const scaled of byKind(objects, 'ScaledObject')) {
          const spec = scaled.spec as {
            scaleTargetRef: { name: string }
            triggers: { metadata: Record<string, string> }[]
          }
          const deployment = spec.scaleTargetRef.name
          const started = running
            .get(deployment)
            ?.lines.map((line) => {
              try {
                return JSON.parse(line) as { msg?: string; agent_type?: string }
              } catch {
                return {}
              }
            })
            .find((line) => line.msg === 'agent worker started')
          expect(started, `${deployment} logged its start`).toBeDefined()
          const consumer = spec.triggers[0]?.metadata.consumer ?? ''
          expect(topology.consumerName(started?.agent_type as never)).toBe(consumer)
          const info = await nats?.jsm.consumers.info(spec.triggers[0]?.metadata.stream ?? '', consumer)
          expect(info?.config.filter_subject).toBe(topology.requestSubject(started?.agent_type as never))
        }
      })

      it('SIGTERM stops every service cleanly within its grace period', async () => {
        for (const { child } of running.values()) child.kill('SIGTERM')
        for (const [deployment, { exit }] of running) {
          const grace = workloads(objects).find((w) => w.object.metadata.name === deployment)?.pod
            .terminationGracePeriodSeconds
          const code = await Promise.race([
            exit,
            new Promise<string>((r) => setTimeout(() => r('still running'), (grace ?? 30) * 1000)),
          ])
          expect(code, `${deployment}\n${logsOf(deployment).slice(-2000)}`).toBe(0)
        }
      }, 90_000)
    })
  })
}

conformance(
  'the defaults, with hosted Supabase',
  {
    set: {
      'secrets.databaseUrl': 'postgres://psa:secret@db.example.internal:5432/postgres?sslmode=require',
      'secrets.supabaseUrl': 'https://abcdefghijklmnop.supabase.co',
    },
  },
  'p',
)
conformance(
  'the kind dev values, with development sign-in',
  { valuesFiles: ['k8s/dev-values.yaml'], namespace: 'psa-dev' },
  'd',
)
