// A request that timed out on every delivery and was dead-lettered.

import { timestamp } from '@psa/calendar'
import type { Scenario, Step } from './history.js'

export function deadLetteredRebalance({ h, ctx, tables, manager }: Scenario): void {
  const queuedAt = timestamp(ctx.day(-4), 11, 0, 3)
  const request = "Rebalance next month's allocations for the London team so nobody is above 90% utilisation."
  const error = {
    code: 'DEAD_LETTERED',
    message: 'The request could not be processed after 3 attempts: agent timed out after 300 s',
  }
  const session = h.session({
    key: 'rebalance-london',
    user: manager,
    agentType: 'resourcing',
    request,
    context: { location: 'London' },
    status: 'failed',
    queuedAt,
    waitMs: 900,
    durationMs: 905_000,
    attempts: 3,
    tokens: [61_400, 1_210],
    error,
    steps: [1, 2, 3].flatMap((attempt): Step[] => [
      ...(attempt > 1
        ? [
            {
              at: (attempt - 1) * 301_000 + 500,
              attempt,
              event: {
                type: 'status_changed',
                data: {
                  status: 'processing',
                  message: `Retrying (attempt ${attempt})`,
                  queue_position: 0,
                  attempt,
                },
              },
            } satisfies Step,
          ]
        : []),
      {
        at: (attempt - 1) * 301_000 + 1_000,
        attempt,
        event: {
          type: 'reasoning',
          data: { text: 'Loading every London allocation for the next five weeks.' },
        },
      },
      {
        at: (attempt - 1) * 301_000 + 300_000,
        attempt,
        event: {
          type: 'error',
          data: { code: 'TIMEOUT', message: 'agent timed out after 300 s', retryable: attempt < 3 },
        },
      },
    ]),
  })
  tables.agent_dead_letters.push({
    id: ctx.id('agent-dead-letter/rebalance-london'),
    organisation_id: ctx.orgId,
    session_id: session.id,
    agent_type: 'resourcing',
    payload: {
      v: 1,
      session_id: session.id,
      organisation_id: ctx.orgId,
      user_id: manager,
      user_email: 'manager@northwind.example',
      agent_type: 'resourcing',
      request,
      context: { location: 'London' },
      auto_apply: false,
      parent_session_id: null,
      submitted_at: queuedAt,
    },
    reason: 'agent timed out after 300 s',
    deliveries: 3,
    created_at: session.completed_at ?? queuedAt,
  })
}
