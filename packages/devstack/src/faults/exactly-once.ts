import type { Database } from '@psa/db'
import { expect } from 'vitest'

/**
 * What "completed exactly once" means in the fault suites, read from the event log: every session has a
 * gap-free sequence from 1, one final result and one terminal status (a redelivered attempt that ran again
 * would leave a second of either, or a hole where a replaced attempt's events were).
 */
export async function expectEventLogsExactlyOnce(db: Database, sessionIds: readonly string[]): Promise<void> {
  const logs = await db.sql<{ session_id: string; seqs: number[]; finals: number; terminals: number }[]>`
    select session_id, array_agg(seq order by seq) as seqs,
           count(*) filter (where event_type = 'final_result')::int as finals,
           count(*) filter (where event_type = 'status_changed'
                              and data->'data'->>'status' in ('completed', 'failed', 'cancelled'))::int as terminals
      from public.agent_logs where session_id = any(${[...sessionIds]}::uuid[]) group by session_id`
  expect(logs).toHaveLength(sessionIds.length)
  for (const log of logs) {
    expect(log.seqs, log.session_id).toEqual(log.seqs.map((_, i) => i + 1))
    expect(log.finals, log.session_id).toBe(1)
    expect(log.terminals, log.session_id).toBe(1)
  }
}
