import type { NatsConnection } from '@nats-io/transport-node'
import type { JwtClaims } from '@psa/db'
import type { AdmissionDeps } from './admission.js'
import { SessionEventWriter } from './event-writer.js'
import { cancelCommandSchema } from './messages.js'
import type { CancelOutcome } from './session-store.js'

/**
 * Cancels a session for a user (the requester, or a manager and above of its organisation). A queued one is
 * cancelled at once: no worker holds it, so its `cancelled` event is written here, and a worker that later
 * receives its message finds it finished. A running one is asked to stop: the request is recorded on the
 * row (for a worker that misses the broadcast, or picks the session up after a crash) and broadcast to the
 * workers; the one running it aborts the agent and marks the session cancelled. Finished sessions answer
 * INVALID_STATE.
 */
export async function cancelSession(
  deps: AdmissionDeps & { nc: NatsConnection },
  claims: JwtClaims,
  sessionId: string,
  reason: string,
): Promise<CancelOutcome & { lastEventSeq?: number }> {
  const outcome = await deps.store.cancel(claims, sessionId, reason)
  if (outcome.kind === 'cancelled') {
    const row = outcome.session
    const writer = await SessionEventWriter.open({
      js: deps.js,
      jsm: deps.jsm,
      topology: deps.topology,
      log: deps.store.events,
      sessionId: row.id,
      organisationId: row.organisation_id,
      agent: row.agent_type,
      attempt: row.attempts,
      logger: deps.logger,
    })
    await writer.emit({
      type: 'status_changed',
      data: { status: 'cancelled', message: reason, queue_position: 0, attempt: row.attempts },
    })
    await writer.close()
    return { ...outcome, lastEventSeq: writer.lastSeq }
  }
  const command = cancelCommandSchema.parse({ session_id: sessionId, reason, requested_by: claims.sub })
  deps.nc.publish(deps.topology.cancelSubject, JSON.stringify(command))
  return outcome
}
