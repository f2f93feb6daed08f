import { connect } from '@nats-io/transport-node'
import postgres from 'postgres'

export const START_POSTGRES = 'pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start'
export const START_NATS =
  'start-stop-daemon --start --oknodo --background --exec /usr/sbin/nats-server -- -a 127.0.0.1 -p 4222 -js -sd /var/lib/nats-server -l /var/log/nats-server.log'

export interface DependencyProblem {
  name: 'PostgreSQL' | 'NATS'
  problem: string
  fix: string
}

/** Connects to the Postgres server itself (its `postgres` database), so a missing app database is fine. */
export async function checkPostgres(databaseUrl: string): Promise<DependencyProblem | undefined> {
  const server = new URL(databaseUrl)
  server.pathname = '/postgres'
  const sql = postgres(server.toString(), { max: 1, connect_timeout: 3, prepare: false, onnotice: () => {} })
  try {
    await sql`select 1`
    return undefined
  } catch (err) {
    const code = (err as { code?: string }).code ?? (err as Error).message
    return {
      name: 'PostgreSQL',
      problem: `not reachable at ${server.host} (${code})`,
      fix: `start it with: ${START_POSTGRES}`,
    }
  } finally {
    await sql.end({ timeout: 1 })
  }
}

/** Connects and asks the JetStream API for account info: a NATS without `-js` is as good as none. */
export async function checkNats(natsUrl: string): Promise<DependencyProblem | undefined> {
  let nc: Awaited<ReturnType<typeof connect>> | undefined
  try {
    nc = await connect({ servers: natsUrl, timeout: 3_000, name: 'psa-devstack-check' })
  } catch (err) {
    return {
      name: 'NATS',
      problem: `not reachable at ${natsUrl} (${(err as Error).message})`,
      fix: `start it with: ${START_NATS}`,
    }
  }
  try {
    const reply = await nc.request('$JS.API.INFO', '', { timeout: 3_000 })
    const info = reply.json<{ error?: { description?: string } }>()
    if (info.error) throw new Error(info.error.description ?? 'JetStream error')
    return undefined
  } catch (err) {
    return {
      name: 'NATS',
      problem: `running at ${natsUrl} but JetStream is not enabled (${(err as Error).message})`,
      fix: `restart it with -js: ${START_NATS}`,
    }
  } finally {
    await nc.close()
  }
}
