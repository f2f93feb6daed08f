import { createServer } from 'node:net'
import { join } from 'node:path'

/** Where `npm start` puts each service; the same ports the Helm chart and the READMEs document. */
export interface StackPorts {
  web: number
  gateway: number
  orchestratorGrpc: number
  orchestratorOps: number
  agentProjectOps: number
  agentResourcingOps: number
  agentQuotesOps: number
}

export const DEFAULT_PORTS: StackPorts = {
  web: 3000,
  gateway: 8080,
  orchestratorGrpc: 50051,
  orchestratorOps: 9090,
  agentProjectOps: 9101,
  agentResourcingOps: 9102,
  agentQuotesOps: 9103,
}

/** Ports that were free a moment ago, one per service (tests and the benchmark stay off the defaults). */
export async function freeStackPorts(): Promise<StackPorts> {
  const one = () =>
    new Promise<number>((resolve, reject) => {
      const srv = createServer()
      srv.listen(0, '127.0.0.1', () => {
        const { port } = srv.address() as { port: number }
        srv.close(() => resolve(port))
      })
      srv.on('error', reject)
    })
  return {
    web: await one(),
    gateway: await one(),
    orchestratorGrpc: await one(),
    orchestratorOps: await one(),
    agentProjectOps: await one(),
    agentResourcingOps: await one(),
    agentQuotesOps: await one(),
  }
}

export interface StackSettings {
  root: string
  ports: StackPorts
  databaseUrl: string
  natsUrl: string
  namespace: string
  /** Local development sign-in: the gateway plays Supabase Auth (mints tokens, serves their JWKS). */
  authDevMode: boolean
  /**
   * Without dev mode: the Supabase project whose access tokens every service verifies (issuer
   * `${supabaseUrl}/auth/v1`), and where its signing keys are when not at the default JWKS path.
   */
  supabase?: { url: string; jwksUrl?: string | undefined }
  logLevel: string
  /** Extra variables for every service (e.g. a model provider's settings). */
  extraEnv?: Record<string, string>
}

export interface StackService {
  name: string
  /** Built entry point, relative to the repository root. */
  entry: string
  env: Record<string, string>
  /** Readiness URL polled before the stack is announced as up. */
  readyUrl: string
  /** Started only once this URL answers (a dependency this service needs at start). */
  startAfter?: string
}

/** The whole product as local processes: what Kubernetes runs as Deployments, here as child processes. */
export function stackServices(s: StackSettings): StackService[] {
  const local = (port: number, path = '/readyz') => `http://127.0.0.1:${port}${path}`
  const gatewayOrigin = `http://127.0.0.1:${s.ports.gateway}`
  if (!s.authDevMode && !s.supabase) {
    throw new Error(
      'without AUTH_DEV_MODE the services need SUPABASE_URL: the project whose tokens they verify',
    )
  }
  // In development the gateway plays Supabase Auth: it mints tokens and serves their JWKS, and every
  // service verifies them through that JWKS exactly as it would hosted Supabase's. Otherwise every service
  // verifies the tokens of the user's own Supabase project.
  const auth: Record<string, string> =
    s.authDevMode || !s.supabase
      ? { SUPABASE_URL: gatewayOrigin }
      : {
          SUPABASE_URL: s.supabase.url,
          ...(s.supabase.jwksUrl ? { SUPABASE_JWKS_URL: s.supabase.jwksUrl } : {}),
        }
  const common = {
    NODE_ENV: 'development',
    LOG_LEVEL: s.logLevel,
    DATABASE_URL: s.databaseUrl,
    NATS_URL: s.natsUrl,
    PIPELINE_NAMESPACE: s.namespace,
    ...auth,
    ...s.extraEnv,
  }
  const agent = (name: string, port: number): StackService => ({
    name,
    entry: join('services', name, 'dist', 'main.js'),
    env: { ...common, OPS_PORT: String(port) },
    readyUrl: local(port),
  })
  // In development the orchestrator verifies tokens with the keys the gateway serves, so it starts once
  // the gateway answers with them (it would otherwise begin by failing to load its signing keys).
  const jwks = s.authDevMode ? `${gatewayOrigin}/auth/v1/.well-known/jwks.json` : undefined
  return [
    {
      name: 'gateway',
      entry: join('services', 'gateway', 'dist', 'main.js'),
      env: {
        ...common,
        PORT: String(s.ports.gateway),
        ORCHESTRATOR_ADDRESS: `127.0.0.1:${s.ports.orchestratorGrpc}`,
        AUTH_DEV_MODE: String(s.authDevMode),
        DEV_SIGNING_KEY_PATH: join(s.root, '.psa', 'dev-signing-key.json'),
      },
      readyUrl: local(s.ports.gateway),
    },
    {
      name: 'web',
      entry: join('services', 'web', 'dist', 'main.js'),
      env: {
        ...common,
        PORT: String(s.ports.web),
        GATEWAY_URL: gatewayOrigin,
        NEXT_TELEMETRY_DISABLED: '1',
        // The web app signs in with dev tokens, or with Supabase Auth when given a project's URL (and its
        // publishable key, NEXT_PUBLIC_SUPABASE_PUBLISHABLE_KEY, which only the user can provide).
        ...(s.authDevMode ? {} : { NEXT_PUBLIC_SUPABASE_URL: auth.SUPABASE_URL as string }),
      },
      readyUrl: local(s.ports.web),
    },
    {
      name: 'orchestrator',
      entry: join('services', 'orchestrator', 'dist', 'main.js'),
      env: {
        ...common,
        GRPC_PORT: String(s.ports.orchestratorGrpc),
        OPS_PORT: String(s.ports.orchestratorOps),
      },
      readyUrl: local(s.ports.orchestratorOps),
      ...(jwks ? { startAfter: jwks } : {}),
    },
    agent('agent-project', s.ports.agentProjectOps),
    agent('agent-resourcing', s.ports.agentResourcingOps),
    agent('agent-quotes', s.ports.agentQuotesOps),
  ]
}
