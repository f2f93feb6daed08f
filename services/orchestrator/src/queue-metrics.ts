import type { JetStreamManager } from '@nats-io/jetstream'
import type { PipelineTopology } from '@psa/agent-pipeline'
import type { Logger } from '@psa/config'
import { AGENT_TYPES } from '@psa/proto'
import type { OrchestratorMetrics } from './metrics.js'

/**
 * Refreshes the queue depth gauges from the request consumers: num_pending (not yet delivered) plus
 * num_ack_pending (delivered, not yet acked) is the work a type's workers have in front of them.
 */
export function startQueueDepthMetrics(options: {
  jsm: JetStreamManager
  topology: PipelineTopology
  metrics: OrchestratorMetrics
  intervalMs: number
  logger: Logger
}): { refresh(): Promise<void>; stop(): void } {
  const { jsm, topology, metrics, logger } = options
  let failing = false
  const refresh = async () => {
    try {
      await Promise.all(
        AGENT_TYPES.map(async (type) => {
          const info = await jsm.consumers.info(topology.requestsStream, topology.consumerName(type))
          metrics.queueDepth.set({ agent_type: type }, info.num_pending + info.num_ack_pending)
        }),
      )
      if (failing) logger.info('queue depth metrics recovered')
      failing = false
    } catch (err) {
      // Log the first failure of a streak only; readiness reports the outage.
      if (!failing) logger.warn({ err }, 'reading queue depth failed')
      failing = true
    }
  }
  const timer = setInterval(() => void refresh(), options.intervalMs)
  timer.unref()
  void refresh()
  return { refresh, stop: () => clearInterval(timer) }
}
