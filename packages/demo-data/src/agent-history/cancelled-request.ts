// Cancelled by the user while it ran.

import { timestamp } from '@psa/calendar'
import type { Scenario } from './history.js'

export function cancelledRequest({ h, ctx, admin }: Scenario): void {
  h.session({
    key: 'cancelled-quote',
    user: admin,
    agentType: 'quotes',
    request: 'Quote a six-month data platform retainer for Nova Biotech.',
    context: {},
    status: 'cancelled',
    queuedAt: timestamp(ctx.day(-5), 13, 30, 0),
    waitMs: 1_100,
    durationMs: 3_400,
    tokens: [2_100, 90],
    error: { code: 'CANCELLED', message: 'Cancelled by user' },
    cancelReason: 'Cancelled by user',
    steps: [],
  })
}
