import type { RequestContext } from '../context.js'
import { describeGaps, describeUnderstanding } from './describe.js'
import type { AgentType } from './schema.js'
import { understand } from './understand.js'

/** A small firm, so every extractor has names, roles, skills and quotes to read. */
const CONTEXT: RequestContext = {
  today: '2026-11-25',
  currency: 'USD',
  clients: [
    { id: 'warm-c1', name: 'Acme Corp' },
    { id: 'warm-c2', name: 'Globex Industries' },
  ],
  projects: [{ id: 'warm-p1', name: 'Acme Website Rebuild', aliases: ['NW-201'], clientId: 'warm-c1' }],
  people: [{ id: 'warm-u1', name: 'Priya Sharma' }],
  quotes: [{ id: 'warm-q1', reference: 'Q-2026-017', clientId: 'warm-c1' }],
  roles: ['Senior Developer', 'Developer', 'Designer', 'QA Engineer'],
  skills: ['React', 'Node.js', 'UX Research'],
}

/** One request per agent and kind of figure: durations, dates, money, hours, percentages, names, flags. */
const REQUESTS: readonly [string, AgentType][] = [
  ['Plan a 12-week website rebuild for Acme starting 5 Jan, budget $150k', 'project_management'],
  ['How is project NW-201 doing?', 'project_management'],
  ['Who can staff React roles next month?', 'resourcing'],
  ["Who's over-allocated in the week of 7 December? Priya is out on Friday", 'resourcing'],
  ['Quote 200h senior dev + 80h design at 30% margin, client rate card, 5% discount', 'quotes'],
  ['Revise quote Q-2026-017: drop QA to 40 hours and auto-apply', 'quotes'],
  ['Set up, staff and quote the Globex ERP migration from 2027-02-01 to 30/04/2027', 'orchestrator'],
]

/**
 * Reads a few representative requests once, so a worker's first real requests do not pay for compiling
 * the parser's regular expressions and optimising its code: cold, a worker's first understandings cost
 * 40-50 ms, then 15-20 ms, against about a millisecond warm. This moves that cost to startup (it is about
 * the same CPU, paid before the worker pulls work); it does not make a warm worker faster.
 * Returns the milliseconds it took.
 */
export function warmUpUnderstanding(): number {
  const started = performance.now()
  for (const [text, agentType] of REQUESTS) {
    const understanding = understand(text, CONTEXT, { agentType })
    describeUnderstanding(understanding)
    describeGaps(understanding)
    describeGaps(understanding, { brief: true })
  }
  return performance.now() - started
}
