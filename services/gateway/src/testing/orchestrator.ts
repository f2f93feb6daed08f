import type { SessionEventBody } from '@psa/agent-pipeline'
import type { Logger } from '@psa/config'
import type { Registry } from '@psa/lifecycle'
import { startTestOrchestrator, type TestOrchestrator } from '@psa/orchestrator/testing'

export interface RealOrchestrator {
  address: string
  server: TestOrchestrator['orchestrator']
  registry?: Registry
  /** Claims the session for a worker attempt and returns a writer that emits its events, as a worker does. */
  worker(
    sessionId: string,
  ): Promise<{ attempt: number; emit(body: SessionEventBody): Promise<number>; close(): Promise<void> }>
  close(): Promise<void>
}

/** The real orchestrator (its own test starter) on port 0, on the test database and a namespace of its own. */
export async function startRealOrchestrator(options: {
  databaseUrl: string
  supabaseUrl: string
  logger: Logger
  registry?: Registry
  overrides?: Record<string, string>
}): Promise<RealOrchestrator> {
  const started = await startTestOrchestrator({
    databaseUrl: options.databaseUrl,
    supabaseUrl: options.supabaseUrl,
    tag: 'gw',
    env: { QUEUE_METRICS_INTERVAL_MS: '1000', ...options.overrides },
    server: { logger: options.logger, ...(options.registry ? { registry: options.registry } : {}) },
  })
  const server = started.orchestrator
  await server.refreshHealth()
  return {
    address: started.address,
    server,
    ...(options.registry ? { registry: options.registry } : {}),
    worker: async (sessionId) => {
      const claimed = await server.store.attempts.start(sessionId)
      if (claimed.kind !== 'started')
        throw new Error(`session ${sessionId} could not be started: ${claimed.kind}`)
      const writer = await started.workerWriter(sessionId, claimed.attempt, 20)
      return {
        attempt: claimed.attempt,
        emit: async (body) => (await writer.emit(body)).seq,
        close: () => writer.close(),
      }
    },
    close: started.close,
  }
}
