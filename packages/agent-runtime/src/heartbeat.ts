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
 * The first look is the claimed row itself (`claimed`, read by the claim a moment ago: this attempt owns
 * it), so the attempt does not read it again before its first interval.
 */
export function startHeartbeat(options: {
  msg: JsMsg
  attempts: AttemptStore
  sessionId: string
  attempt: number
  control: AttemptControl
  ackWaitMs: number
  logger: Logger
  claimed: { cancel_requested_at: Date | null; cancel_reason: string | null }
}): Heartbeat {
  const { msg, attempts, sessionId, attempt, control, logger, claimed } = options
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
  try {
    msg.working()
  } catch {
    // As in tick.
  }
  if (claimed.cancel_requested_at)
    control.stop({ kind: 'cancel', message: claimed.cancel_reason ?? 'Cancelled' })
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
