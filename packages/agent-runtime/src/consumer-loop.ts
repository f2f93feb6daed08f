import { setTimeout as sleep } from 'node:timers/promises'
import type { Consumer, JetStreamClient, JsMsg } from '@nats-io/jetstream'
import type { PipelineTopology } from '@psa/agent-pipeline'
import type { Logger } from '@psa/config'
import type { AgentTypeName } from '@psa/proto'

export interface ConsumerLoopOptions {
  js: JetStreamClient
  topology: PipelineTopology
  agentType: AgentTypeName
  /** Messages worked on at once by this process; also the most it ever holds unacknowledged. */
  concurrency: number
  handle: (msg: JsMsg) => Promise<void>
  logger: Logger
  /** How long one pull request waits at the server for a message (bounds how fast stop() returns). */
  pullExpiresMs?: number
}

/**
 * Pulls work from the agent type's durable consumer with bounded concurrency: `concurrency` slots, each
 * asking the server for one message only when it is free. Nothing is prefetched, so a busy worker never
 * sits on requests another replica could start, and the server hands work out in request order.
 */
export class ConsumerLoop {
  readonly #options: Required<ConsumerLoopOptions>
  #consumer: Consumer | undefined
  #stopping = false
  #slots: Promise<void>[] = []
  #busy = 0
  #wake = new AbortController()

  constructor(options: ConsumerLoopOptions) {
    this.#options = { pullExpiresMs: 5_000, ...options }
  }

  /** True once the durable consumer was found (readiness). */
  get bound(): boolean {
    return this.#consumer !== undefined
  }

  /** Messages being processed right now. */
  get inFlight(): number {
    return this.#busy
  }

  get stopping(): boolean {
    return this.#stopping
  }

  /** Starts the slots; they wait for the consumer (the orchestrator creates it) before pulling. */
  start(): void {
    if (this.#slots.length > 0) return
    this.#slots = Array.from({ length: this.#options.concurrency }, (_, slot) => this.#run(slot))
  }

  async #bind(): Promise<Consumer | undefined> {
    const name = this.#options.topology.consumerName(this.#options.agentType)
    let warned = false
    while (!this.#stopping) {
      if (this.#consumer) return this.#consumer
      try {
        this.#consumer = await this.#options.js.consumers.get(this.#options.topology.requestsStream, name)
        this.#options.logger.info(
          { stream: this.#options.topology.requestsStream, consumer: name },
          'bound to the work queue',
        )
        return this.#consumer
      } catch (err) {
        if (!warned) {
          this.#options.logger.warn(
            { err, consumer: name },
            'work queue consumer not available yet; retrying',
          )
          warned = true
        }
        await sleep(1_000, undefined, { signal: this.#wake.signal }).catch(() => {})
      }
    }
    return undefined
  }

  async #run(slot: number): Promise<void> {
    while (!this.#stopping) {
      const consumer = await this.#bind()
      if (!consumer) return
      let msg: JsMsg | null
      try {
        msg = await consumer.next({ expires: this.#options.pullExpiresMs })
      } catch (err) {
        if (this.#stopping) return
        this.#options.logger.warn({ err, slot }, 'pulling work failed; retrying')
        await sleep(1_000, undefined, { signal: this.#wake.signal }).catch(() => {})
        continue
      }
      if (!msg) continue
      if (this.#stopping) {
        // Arrived for a pull issued before shutdown began: give it straight back to another worker.
        msg.nak()
        return
      }
      this.#busy++
      try {
        await this.#options.handle(msg)
      } catch (err) {
        // The handler settles every message itself; reaching here is a bug, so hand the message back.
        this.#options.logger.error({ err, slot }, 'message handler threw; handing the message back')
        try {
          msg.nak(5_000)
        } catch {}
      } finally {
        this.#busy--
      }
    }
  }

  /** Stops taking new work. In-flight messages continue; see `drain`. */
  stop(): void {
    this.#stopping = true
    this.#wake.abort()
  }

  /**
   * Waits for the slots to finish their current message and exit, up to `timeoutMs`; then calls
   * `handBack` (which makes in-flight work stop and nak its messages) and waits for that.
   * Resolves true when everything finished on its own.
   */
  async drain(timeoutMs: number, handBack: () => void): Promise<boolean> {
    this.stop()
    const all = Promise.all(this.#slots)
    const timer = new AbortController()
    const finished = await Promise.race([
      all.then(() => true),
      sleep(timeoutMs, false, { signal: timer.signal }).catch(() => false),
    ])
    timer.abort()
    if (finished) return true
    this.#options.logger.warn(
      { in_flight: this.#busy },
      'in-flight requests outlived the drain period; handing them back',
    )
    handBack()
    await all
    return false
  }
}
