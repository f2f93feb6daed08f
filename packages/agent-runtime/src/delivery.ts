import type { JsMsg } from '@nats-io/jetstream'
import type { Logger } from '@psa/config'
import type { AgentTypeName } from '@psa/proto'
import type { RuntimeMetrics } from './metrics.js'

export type SettleAction = 'ack' | 'nak' | 'term' | 'none'

export interface DeliveryOptions {
  logger: Logger
  metrics: RuntimeMetrics
  labels: { agent_type: AgentTypeName }
  /** First retry delay after a transient failure; doubles per delivery up to `retryMaxDelayMs`. */
  retryBaseDelayMs?: number | undefined
  retryMaxDelayMs?: number | undefined
}

/**
 * One delivery of a work item: how it is settled with JetStream (ack, nak with a delay, term), counted and
 * timed, whatever path through the processor it took.
 */
export class Delivery {
  readonly received = performance.now()

  constructor(
    readonly msg: JsMsg,
    readonly options: DeliveryOptions,
  ) {}

  /** 1 for the first delivery. */
  get count(): number {
    return this.msg.info.deliveryCount
  }

  elapsedMs(): number {
    return Math.round(performance.now() - this.received)
  }

  /** The delay before this delivery's retry: growing with the deliveries so far. */
  retryDelayMs(): number {
    const base = this.options.retryBaseDelayMs ?? 2_000
    const max = this.options.retryMaxDelayMs ?? 60_000
    return Math.min(max, base * 2 ** Math.max(0, this.count - 1))
  }

  /** Tells JetStream the message is still being worked on (resets its ack wait; no redelivery, no count). */
  working(): void {
    try {
      this.msg.working()
    } catch {
      // The connection is gone: the message comes back after the ack wait, as it would anyway.
    }
  }

  settle(action: SettleAction, reason: string, delayMs?: number): void {
    const { logger, metrics, labels } = this.options
    try {
      if (action === 'ack') this.msg.ack()
      else if (action === 'term') this.msg.term()
      else if (action === 'nak') this.msg.nak(delayMs)
    } catch (err) {
      // The connection is gone: the server redelivers after the ack wait, which is the same outcome.
      logger.warn({ err, action }, 'could not acknowledge the message')
    }
    metrics.messages.inc({ ...labels, action, reason })
    metrics.processingSeconds.observe(
      { ...labels, outcome: reason },
      (performance.now() - this.received) / 1000,
    )
  }
}
