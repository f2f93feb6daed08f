import type { JsMsg } from '@nats-io/jetstream'
import type { AttemptStore } from '@psa/agent-pipeline'
import type { Logger } from '@psa/config'
import type { AttemptControl } from './attempt-control.js'

export interface Heartbeat {
  /** Stops looking at the session (the outcome is being written) but keeps the message alive. */
  stopPolling(): void
  stop(): void
}

/**
 * In-progress acks so a long request is not redelivered, plus a look at the session (`attempts.check`): a
 * cancel recorded there (the broadcast may have been missed) or a newer attempt owning it stops this one.
 */
export function startHeartbeat(options: {
  msg: JsMsg
  attempts: AttemptStore
  sessionId: string
  attempt: number
  control: AttemptControl
  ackWaitMs: number
  logger: Logger
}): Heartbeat {
  const { msg, attempts, sessionId, attempt, control, logger } = options
  const interval = Math.max(100, Math.floor(options.ackWaitMs / 3))
  let polling = false
  let pollingEnabled = true
  const tick = async () => {
    try {
      msg.working()
    } catch {
      // Connection trouble: the event publishing path reports it.
    }
    if (polling || !pollingEnabled) return
    polling = true
    try {
      const check = await attempts.check(sessionId, attempt)
      if (!pollingEnabled) return
      if (check.kind === 'stale') control.stop({ kind: 'stale' })
      else if (check.kind === 'cancel') control.stop({ kind: 'cancel', message: check.reason })
    } catch (err) {
      logger.debug({ err }, 'session state poll failed')
    } finally {
      polling = false
    }
  }
  void tick()
  const timer = setInterval(() => void tick(), interval)
  return {
    stopPolling: () => {
      pollingEnabled = false
    },
    stop: () => {
      pollingEnabled = false
      clearInterval(timer)
    },
  }
}
