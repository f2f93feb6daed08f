// A few finished agent sessions with their thinking logs and proposals, so the agents console and the
// proposal inbox have something real to show: one file per scenario (see history.ts for the shapes).

import { type BuiltOrganisation, userWithRole } from '../build-organisation.js'
import { demoUser } from '../constants.js'
import { budgetOverrun } from './budget-overrun.js'
import { cancelledRequest } from './cancelled-request.js'
import { deadLetteredRebalance } from './dead-lettered-rebalance.js'
import { History, type Scenario } from './history.js'
import { lateMilestones } from './late-milestones.js'
import { orchestratedLumen } from './orchestrated-lumen.js'
import { planCarePortal } from './plan-care-portal.js'
import { quoteWealthDashboard } from './quote-wealth-dashboard.js'
import { reactShortage } from './react-shortage.js'

const SCENARIOS: readonly ((s: Scenario) => void)[] = [
  planCarePortal,
  reactShortage,
  quoteWealthDashboard,
  orchestratedLumen,
  deadLetteredRebalance,
  budgetOverrun,
  lateMilestones,
  cancelledRequest,
]

/** Northwind's agent history: seven requests (one orchestrated with three children), a failure, a cancel. */
export function buildNorthwindAgentHistory(b: BuiltOrganisation): void {
  const { ctx } = b
  const scenario: Scenario = {
    b,
    h: new History(ctx),
    ctx,
    tables: ctx.tables,
    manager: demoUser('manager@northwind.example').id,
    admin: demoUser('admin@northwind.example').id,
    owner: userWithRole(ctx, 'owner'),
  }
  for (const write of SCENARIOS) write(scenario)
}
