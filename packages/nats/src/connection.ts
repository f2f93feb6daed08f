import { type JetStreamClient, type JetStreamManager, jetstream, jetstreamManager } from '@nats-io/jetstream'
import { connect, type NatsConnection } from '@nats-io/transport-node'
import type { Logger } from '@psa/config'
import { z } from 'zod'

/** The NATS settings every service reads, merged into its own env schema. */
export const natsEnvSchema = z.object({
  NATS_URL: z.string().min(1).default('nats://127.0.0.1:4222'),
  NATS_USER: z.string().optional(),
  NATS_PASSWORD: z.string().optional(),
  NATS_TOKEN: z.string().optional(),
})
export type NatsEnv = z.infer<typeof natsEnvSchema>

export interface NatsClients {
  nc: NatsConnection
  js: JetStreamClient
  jsm: JetStreamManager
  /** Readiness: resolves only when the server answers a round trip now. */
  ping(): Promise<void>
  /**
   * Whether the connection is up as far as the client knows (false from a disconnect until it has
   * reconnected): callers that must not wait out a publish timeout refuse at once while it is down.
   */
  connected(): boolean
  /** Drains subscriptions and pending publishes, then closes. Safe to call twice. */
  close(): Promise<void>
}

export interface ConnectNatsOptions {
  env: NatsEnv
  /** Client name shown in the server's connection list (`nats server report connections`). */
  name: string
  logger: Logger
  /** How long the first connection may take before start-up fails. */
  connectTimeoutMs?: number
}

/**
 * Connects with unlimited reconnects (a broker restart must not kill the service; readiness reports the
 * outage instead) and logs every connection state change.
 */
export async function connectNats(options: ConnectNatsOptions): Promise<NatsClients> {
  const { env, name, logger } = options
  const log = logger.child({ component: 'nats' })
  let nc: NatsConnection
  try {
    nc = await connect({
      servers: env.NATS_URL.split(',').map((s) => s.trim()),
      name,
      ...(env.NATS_USER ? { user: env.NATS_USER, pass: env.NATS_PASSWORD ?? '' } : {}),
      ...(env.NATS_TOKEN ? { token: env.NATS_TOKEN } : {}),
      timeout: options.connectTimeoutMs ?? 5_000,
      maxReconnectAttempts: -1,
      reconnectTimeWait: 1_000,
      reconnectJitter: 250,
      pingInterval: 10_000,
      // Otherwise every request (each JetStream publish) builds two Errors up front for their stack
      // traces, a few percent of an admission's CPU; our errors carry their own context.
      noAsyncTraces: true,
    })
  } catch (err) {
    throw new Error(
      `cannot connect to NATS at ${env.NATS_URL}: ${(err as Error).message}. Is nats-server running with JetStream (-js)?`,
      { cause: err },
    )
  }
  log.info({ server: nc.getServer() }, 'connected to NATS')
  let up = true
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === 'disconnect' || status.type === 'staleConnection') up = false
      else if (status.type === 'reconnect') up = true
      const level = status.type === 'disconnect' || status.type === 'error' ? 'warn' : 'info'
      log[level]({ status: status.type, data: 'server' in status ? status.server : undefined }, 'NATS status')
    }
  })().catch(() => {})

  const jsm = await jetstreamManager(nc, { timeout: 5_000 }).catch((err: Error) => {
    void nc.close()
    throw new Error(`NATS at ${env.NATS_URL} has no JetStream (start nats-server with -js): ${err.message}`, {
      cause: err,
    })
  })
  const js = jetstream(nc, { timeout: 5_000 })
  let closing: Promise<void> | undefined

  return {
    nc,
    js,
    jsm,
    connected: () => up && !nc.isClosed(),
    ping: async () => {
      if (nc.isClosed()) throw new Error('NATS connection closed')
      await nc.rtt()
    },
    close: () => {
      closing ??= nc.isClosed()
        ? Promise.resolve()
        : nc.drain().then(
            () => log.info('NATS connection drained'),
            (err: Error) => log.warn({ err }, 'NATS drain failed'),
          )
      return closing
    },
  }
}
