import { authEnvShape, refineAuthEnv } from '@psa/auth'
import { baseEnvSchema, envVars, loadEnv, parseEnv } from '@psa/config'
import { databaseEnvSchema } from '@psa/db'
import { z } from 'zod'

const commaList = z
  .string()
  .transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  )
  .pipe(z.array(z.url({ error: 'must be a comma-separated list of origins (https://app.example.com)' })))

export const gatewayEnvSchema = baseEnvSchema
  .extend(databaseEnvSchema.shape)
  .extend(authEnvShape)
  .extend({
    PORT: envVars.port(8080),
    // All interfaces by default: in a pod the kubelet probes and the Service reach the container by its IP.
    HOST: z.string().min(1).default('0.0.0.0'),
    /** host:port of the orchestrator's gRPC AgentService. */
    ORCHESTRATOR_ADDRESS: z.string().min(1).default('127.0.0.1:50051'),
    /** Deadline of each unary call to the orchestrator. */
    ORCHESTRATOR_TIMEOUT_MS: envVars.durationMs(10_000),
    /** Largest request body accepted; larger ones get 413 PAYLOAD_TOO_LARGE. */
    BODY_LIMIT_BYTES: envVars.positiveInt(256 * 1024),
    /** Requests per minute per user (per client IP before sign-in); more get 429 RATE_LIMITED. */
    RATE_LIMIT_PER_MINUTE: envVars.positiveInt(600),
    /** How often an idle event stream carries a comment, so proxies and browsers keep it open. */
    SSE_HEARTBEAT_MS: envVars.durationMs(15_000),
    /**
     * Event streams (session events and the change feed) one user may hold open on this gateway; more get
     * 429 TOO_MANY_STREAMS. Below the orchestrator's MAX_STREAMS_PER_USER, which each session stream uses.
     */
    SSE_MAX_STREAMS_PER_USER: envVars.positiveInt(8),
    /** The `retry:` hint sent to EventSource clients: how long to wait before reconnecting. */
    SSE_RETRY_MS: envVars.durationMs(2_000),
    /**
     * Trust X-Forwarded-* from proxies: `true`, `false`, a hop count, or a comma-separated list of proxy
     * addresses/CIDRs. Needed behind the web app or an ingress for per-IP limits to see the client.
     */
    TRUST_PROXY: z.string().default('false'),
    /** Origins allowed to call the API from a browser directly; unset: none (the browser calls the web app). */
    CORS_ORIGINS: commaList.optional(),
    /**
     * A session (direct) Postgres connection for the change feed's LISTEN, when DATABASE_URL is a
     * transaction pooler (Supabase's port 6543, PgBouncer in transaction mode), which cannot hold one.
     */
    DATABASE_LISTEN_URL: z.url({ error: 'must be a postgres:// URL' }).optional(),
    /** How long /readyz reuses its last check (it is public: each check pings Postgres and the orchestrator). */
    READINESS_CACHE_MS: envVars.durationMs(1_000),
    /** The local development signing key (AUTH_DEV_MODE only). */
    DEV_SIGNING_KEY_PATH: z.string().min(1).default('.psa/dev-signing-key.json'),
  })
  .superRefine(refineAuthEnv)

export type GatewayEnv = z.infer<typeof gatewayEnvSchema>

/**
 * In local development mode the gateway is its own Supabase Auth, so SUPABASE_URL defaults to its own
 * origin (what the orchestrator must be given too, to verify the same tokens through our JWKS).
 */
function withDevDefaults(source: Record<string, string | undefined>): Record<string, string | undefined> {
  const devMode = ['true', '1', 'yes'].includes(source.AUTH_DEV_MODE ?? '')
  if (!devMode || source.SUPABASE_URL) return source
  return { ...source, SUPABASE_URL: `http://127.0.0.1:${source.PORT || '8080'}` }
}

export function parseGatewayEnv(source: Record<string, string | undefined> = process.env): GatewayEnv {
  return parseEnv('gateway', gatewayEnvSchema, withDevDefaults(source))
}

export function loadGatewayEnv(): GatewayEnv {
  const source = withDevDefaults(process.env)
  if (source !== process.env && source.SUPABASE_URL) process.env.SUPABASE_URL = source.SUPABASE_URL
  return loadEnv('gateway', gatewayEnvSchema)
}

/** Fastify's `trustProxy` option from TRUST_PROXY. */
export function trustProxyOption(
  value: string,
): boolean | string[] | ((address: string, hop: number) => boolean) {
  if (value === 'true') return true
  if (value === 'false' || value === '') return false
  if (/^\d+$/.test(value)) {
    // Trust the first n hops (the proxies in front of us), as proxy-addr does for a number.
    const hops = Number(value)
    return (_address, hop) => hop < hops
  }
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
}
