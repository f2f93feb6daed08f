import { type AgentCorpus, type CorpusCase, demoModelContext } from '@psa/agent-models/testing'
import { generateDemoData, NORTHWIND_ORGANISATION_ID } from '@psa/demo-data'
import { DELEGATE_DESCRIPTION, DELEGATE_TOOL, delegateInputSchema } from './delegate-tool.js'
import { orchestratorPlaybook } from './playbook.js'

// How people ask the orchestrator, on the demo firm (Northwind, today Wednesday 25 Nov 2026): the first
// delegation it makes (broad requests start with the plan; two reports start with the first). The pass rate
// is printed and must stay at or above 90%.
const demo = generateDemoData({ today: '2026-11-25' })
const { context, client } = demoModelContext(demo.tables, NORTHWIND_ORGANISATION_ID, '2026-11-25')
const delegateTool = {
  name: DELEGATE_TOOL,
  description: DELEGATE_DESCRIPTION,
  inputSchema: delegateInputSchema,
}

const to = (agent_type: string, extra: Record<string, unknown> = {}) => ({
  tool: DELEGATE_TOOL,
  input: { agent_type, step: 1, ...extra },
})
const pm = (extra?: Record<string, unknown>) => to('project_management', extra)
const staff = (extra?: Record<string, unknown>) => to('resourcing', extra)
const quotes = (extra?: Record<string, unknown>) => to('quotes', extra)
const ask = (pattern: RegExp) => ({ ask: pattern })

const CORPUS: CorpusCase[] = [
  // Broad: plan -> staff -> quote, each step fed by the one before
  {
    request:
      'Set up, staff and quote a 12-week website rebuild for Acme starting 5 Jan, budget $150k, at 30% margin',
    expect: pm({ context: { client_id: client(/^Acme/) } }),
  },
  {
    request:
      'plan it, find the team and price it at 25% margin: a 16-week mobile app for Orbital Logistics from 1 February',
    expect: pm({ context: { client_id: client(/^Orbital/) } }),
  },
  { request: 'Plan, staff and price up the Summit claims portal: 14 weeks from 4 Jan', expect: pm() },
  { request: 'set up and quote a 6-week discovery for Cedar Health starting 11 January', expect: pm() },
  { request: 'Plan and staff a 20-week data platform for Greenfield Energy starting 1 March', expect: pm() },
  {
    request:
      'create the project, staff it and quote it: ERP rollout for Pioneer Manufacturing, 6 months from 1 March, $500k',
    expect: pm(),
  },
  {
    request: 'set up a project for Nova Biotech, staff it and send me a quote: 10 weeks from 11 January',
    expect: pm({ context: { client_id: client(/^Nova/) } }),
  },
  {
    request: 'Staff and quote 200h senior dev + 80h design for Acme from 4 Jan to 26 Feb',
    expect: staff({ step: 2 }),
  },
  {
    request: 'quote and staff 120h QA for Lumen Media from 11 January to 5 March at 30% margin',
    expect: staff({ step: 2 }),
  },
  { request: 'set up, staff and quote the Acme rebuild', expect: ask(/how long/i) },
  { request: 'Plan, staff and quote a 10-week website starting 4 January', expect: ask(/which client/i) },
  // One specialist
  { request: 'Plan a 12-week website rebuild for Acme starting 5 Jan', expect: pm() },
  { request: 'How is NW-204 doing?', expect: pm() },
  { request: 'Who is over-allocated next week?', expect: staff() },
  { request: 'Quote 200h senior dev for Acme at 30% margin', expect: quotes() },
  { request: "Who can staff Acme's React roles next month?", expect: staff() },
  { request: 'Take a baseline of NW-203', expect: pm() },
  { request: 'Replan the E-commerce Replatform so it finishes two weeks earlier', expect: pm() },
  { request: 'What if we win NW-501?', expect: staff() },
  { request: 'Revise the Acme quote: drop design to 60h', expect: quotes() },
  { request: 'Convert the won Acme quote into a project', expect: quotes() },
  { request: 'utilisation forecast for Q1', expect: staff() },
  { request: "who's on the bench next week", expect: staff() },
  { request: 'Which projects are over budget?', expect: pm() },
  { request: 'Compare NW-204 to its baseline', expect: pm() },
  { request: 'send the Acme quote for approval to an admin', expect: quotes() },
  { request: 'price 80h UX researcher for Cedar Health', expect: quotes() },
  {
    request: 'find a senior developer with React and TypeScript at 4+ from 7 December for 3 weeks',
    expect: staff(),
  },
  { request: 'Book Priya Raman on NW-201 at 20 hours a week from next Monday for 4 weeks', expect: staff() },
  { request: 'Staff the open requests of NW-304', expect: staff() },
  { request: 'Plan a discovery for Cedar Health', expect: pm() },
  { request: 'quote a retainer for Greenfield: 40 hours a month of devops for 6 months', expect: quotes() },
  { request: 'Delay NW-206 by three weeks', expect: pm() },
  { request: 'Priya is out in March, replan NW-201', expect: pm() },
  { request: 'Who knows Kubernetes and is free next week?', expect: staff() },
  { request: "What's the EAC on NW-202?", expect: pm() },
  // Two reports side by side
  { request: 'give me a portfolio health summary and who is overbooked', expect: pm() },
  { request: 'How is Acme doing, and who is free next week?', expect: pm() },
  { request: 'Show me late milestones and the utilisation forecast for December', expect: pm() },
  { request: 'which projects are red, and any double bookings?', expect: pm() },
  // Not understood: nothing delegated
  { request: 'hello', expect: ask(/could not tell what you want/i) },
  { request: 'do the thing', expect: ask(/could not tell what you want/i) },
]

export const orchestratorCorpus: AgentCorpus = {
  name: 'orchestrator',
  cases: CORPUS,
  options: {
    playbook: orchestratorPlaybook,
    tools: [delegateTool],
    context,
    agentType: 'orchestrator',
  },
}
