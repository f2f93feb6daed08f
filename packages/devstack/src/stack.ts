import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { checkNats, checkPostgres, type DependencyProblem } from './dependencies.js'
import { type StackService, type StackSettings, stackServices } from './services.js'
import { Supervisor, type SupervisorOptions } from './supervisor.js'

export interface RunningStack {
  supervisor: Supervisor
  services: StackService[]
  /** Resolves when every service answers its readiness URL, with the names of those that did not in time. */
  ready(timeoutMs: number): Promise<{ notReady: string[] }>
  stop(): Promise<void>
}

export async function checkDependencies(
  settings: Pick<StackSettings, 'databaseUrl' | 'natsUrl'>,
): Promise<DependencyProblem[]> {
  const results = await Promise.all([checkPostgres(settings.databaseUrl), checkNats(settings.natsUrl)])
  return results.filter((r): r is DependencyProblem => r !== undefined)
}

/** Starts every built service under one supervisor. Throws if a service has not been built. */
export function startStack(
  settings: StackSettings,
  options: SupervisorOptions & {
    only?: readonly string[]
    /** Map stack traces to the TypeScript sources (on by default; costly where errors are frequent). */
    sourceMaps?: boolean
  } = {},
): RunningStack {
  const { only, sourceMaps = true, ...supervisorOptions } = options
  const services = stackServices(settings).filter((s) => !only || only.includes(s.name))
  const unbuilt = services.filter((s) => !existsSync(join(settings.root, s.entry)))
  if (unbuilt.length > 0) {
    throw new Error(`not built: ${unbuilt.map((s) => s.entry).join(', ')} (run \`npm run build\`)`)
  }
  const supervisor = new Supervisor(supervisorOptions)
  const start = (service: StackService) =>
    supervisor.start({
      name: service.name,
      command: process.execPath,
      args: [...(sourceMaps ? ['--enable-source-maps'] : []), join(settings.root, service.entry)],
      cwd: settings.root,
      env: service.env,
    })
  for (const service of services) {
    if (service.startAfter) {
      void waitForUrl(service.startAfter, 120_000).then(() => start(service))
    } else {
      start(service)
    }
  }
  return {
    supervisor,
    services,
    ready: (timeoutMs) => waitUntilReady(services, timeoutMs),
    stop: () => supervisor.stop(),
  }
}

async function isReady(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(2_000) })
    await res.body?.cancel()
    return res.ok
  } catch {
    return false
  }
}

async function waitForUrl(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await isReady(url)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200))
}

async function waitUntilReady(services: StackService[], timeoutMs: number): Promise<{ notReady: string[] }> {
  const deadline = Date.now() + timeoutMs
  const pending = new Set(services)
  while (pending.size > 0 && Date.now() < deadline) {
    const checks = await Promise.all([...pending].map(async (s) => [s, await isReady(s.readyUrl)] as const))
    for (const [service, ok] of checks) if (ok) pending.delete(service)
    if (pending.size > 0) await new Promise((r) => setTimeout(r, 500))
  }
  return { notReady: [...pending].map((s) => s.name) }
}

/** What `npm start` prints once the stack is up: where everything is and a request to paste. */
export function banner(settings: StackSettings): string {
  const { ports } = settings
  const api = `http://127.0.0.1:${ports.gateway}`
  return [
    '',
    'PSA Agents is running.',
    '',
    `  Web app        http://127.0.0.1:${ports.web}`,
    `  API gateway    ${api}   (OpenAPI: ${api}/openapi.json)`,
    `  gRPC           127.0.0.1:${ports.orchestratorGrpc}   (psa.v1.AgentService, reflection on)`,
    `  Metrics        ${api}/metrics, http://127.0.0.1:${ports.orchestratorOps}/metrics, agents on :${ports.agentProjectOps}-${ports.agentQuotesOps}`,
    '',
    'Get a development token (admin@northwind.example) and ask the project agent for a plan, then watch it think:',
    '',
    `  TOKEN=$(curl -s -X POST ${api}/api/dev/token -H 'content-type: application/json' -d '{}' | sed -E 's/.*"access_token":"([^"]+)".*/\\1/')`,
    `  SESSION=$(curl -s -X POST ${api}/api/agents/project -H "authorization: Bearer $TOKEN" -H 'content-type: application/json' -d '{"request":"Plan a 12-week website rebuild for Acme starting 5 Jan, budget $150k"}' | sed -E 's/.*"session_id":"([^"]+)".*/\\1/')`,
    `  curl -N ${api}/api/sessions/$SESSION/events -H "authorization: Bearer $TOKEN"`,
    '',
    'Other demo users: owner@, manager@, member@, viewer@northwind.example and admin@bluebird.example.',
    'Ctrl-C stops everything.',
    '',
  ].join('\n')
}
