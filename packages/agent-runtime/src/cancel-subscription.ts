import type { NatsConnection, Subscription } from '@nats-io/transport-node'
import { cancelCommandSchema, type PipelineTopology } from '@psa/agent-pipeline'
import type { Logger } from '@psa/config'

/**
 * Listens to the cancel broadcast: every worker hears every cancel and the one running the session stops
 * it. (The session row also records the request, for a worker that misses the broadcast.)
 */
export function subscribeToCancels(
  nc: NatsConnection,
  topology: PipelineTopology,
  cancel: (sessionId: string, reason: string) => boolean,
  logger: Logger,
): Subscription {
  return nc.subscribe(topology.cancelSubject, {
    callback: (err, msg) => {
      if (err) {
        logger.warn({ err }, 'cancel subscription error')
        return
      }
      let body: unknown
      try {
        body = msg.json()
      } catch {
        body = undefined
      }
      const command = cancelCommandSchema.safeParse(body)
      if (!command.success) {
        logger.warn({ subject: msg.subject }, 'ignoring a malformed cancel command')
        return
      }
      if (cancel(command.data.session_id, command.data.reason)) {
        logger.info({ session_id: command.data.session_id }, 'cancel received for a running session')
      }
    },
  })
}
