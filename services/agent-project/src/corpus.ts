import { type AgentCorpus, type CorpusCase, demoModelContext } from '@psa/agent-models/testing'
import { generateDemoData, NORTHWIND_ORGANISATION_ID } from '@psa/demo-data'
import { projectAgent } from './agent.js'
import { projectPlaybook } from './playbook.js'

// How project managers ask, on the demo firm (Northwind, today Wednesday 25 Nov 2026): the first step the
// offline model takes for each request. The pass rate is printed and must stay at or above 90%.
const { context, client, project, person } = demoModelContext(
  generateDemoData({ today: '2026-11-25' }).tables,
  NORTHWIND_ORGANISATION_ID,
  '2026-11-25',
)

const plan = (input: Record<string, unknown>) => ({ tool: 'propose_project_plan', input })
const status = (input: Record<string, unknown>) => ({ tool: 'get_project_status', input })
const ask = (pattern: RegExp) => ({ ask: pattern })

const CORPUS: CorpusCase[] = [
  // Plans
  {
    request: 'Plan a 12-week website rebuild for Acme starting 5 Jan, budget $150k',
    expect: plan({
      client_id: client(/^Acme/),
      weeks: 12,
      starts_on: '2027-01-05',
      budget_minor: 15_000_000,
    }),
  },
  { request: 'Plan a discovery for Cedar Health', expect: plan({ client_id: client(/^Cedar/) }) },
  {
    request: 'create a mobile app project for Lumen Media, 16 weeks, starting February',
    expect: plan({ client_id: client(/^Lumen/), weeks: 16, starts_on: '2027-02-01' }),
  },
  { request: 'Is NW-206 on budget?', expect: status({ project_id: project(/^NW-206$/) }) },
  {
    request: 'can you draft a plan for a mobile app for Orbital Logistics, 16 weeks from 1 February',
    expect: plan({ client_id: client(/^Orbital/), weeks: 16, starts_on: '2027-02-01' }),
  },
  {
    request: 'We need a data platform for Greenfield Energy: 20 weeks starting 11 January, around $400k',
    expect: plan({ client_id: client(/^Greenfield/), weeks: 20, budget_minor: 40_000_000 }),
  },
  {
    request: 'set up an ERP rollout project for pioneer manufacturing, 6 months from 1 March',
    expect: plan({ client_id: client(/^Pioneer/), weeks: 26, starts_on: '2027-03-01' }),
  },
  {
    request: 'plan a 3 week discovery for nova biotech starting next monday',
    expect: plan({ client_id: client(/^Nova/), weeks: 3, starts_on: '2026-11-30' }),
  },
  {
    request: 'New project for Lumen Media: website redesign, 10 weeks, kick off on 11 January, $120,000',
    expect: plan({ client_id: client(/^Lumen/), weeks: 10, budget_minor: 12_000_000 }),
  },
  {
    request: 'Build me a project plan for Summit Insurance, claims portal, 14 weeks starting 4 Jan',
    expect: plan({ client_id: client(/^Summit/), weeks: 14, starts_on: '2027-01-04' }),
  },
  {
    request: "Put together a plan for Blue Harbor Bank's app refresh, 4 months, start 1 Feb, budget 250k",
    expect: plan({ client_id: client(/^Blue Harbor/), weeks: 17, budget_minor: 25_000_000 }),
  },
  {
    request: 'Plan an 8-week discovery and prototype for Civic Transit starting 2027-01-11',
    expect: plan({ client_id: client(/^Civic/), weeks: 8, starts_on: '2027-01-11' }),
  },
  {
    request: 'Plan a 10-week data platform starting next Monday',
    context: { clientId: client(/^Acme/) },
    expect: plan({ client_id: client(/^Acme/), weeks: 10 }),
  },
  { request: 'Plan a project for Acme', expect: ask(/how long/i) },
  { request: 'Plan a 12-week website rebuild starting 5 Jan', expect: ask(/client/i) },
  // Status and health
  { request: 'How is NW-202 doing?', expect: status({ project_id: project(/^NW-202$/) }) },
  { request: 'status of the E-commerce Replatform', expect: status({ project_id: project(/^E-commerce/) }) },
  { request: 'How are things with Acme?', expect: status({ client_id: client(/^Acme/) }) },
  { request: 'Give me a portfolio health summary', expect: status({ all_active: true }) },
  { request: 'which projects are over budget?', expect: status({ all_active: true }) },
  { request: 'Are any milestones late?', expect: status({ all_active: true }) },
  {
    request: "What's the EAC and CPI on the Care Coordination Portal?",
    expect: status({ project_id: project(/^Care Coordination/) }),
  },
  { request: 'health check on cedar health partners', expect: status({ client_id: client(/^Cedar/) }) },
  { request: 'Is the driver app on track', expect: status({ project_id: project(/^Driver App/) }) },
  { request: 'burn on nw-202', expect: status({ project_id: project(/^NW-202$/) }) },
  {
    request: "What's the earned value for Mobile Banking Onboarding",
    expect: status({ project_id: project(/^Mobile Banking/) }),
  },
  {
    request: 'status?',
    context: { projectId: project(/^NW-204$/) },
    expect: status({ project_id: project(/^NW-204$/) }),
  },
  {
    request: "How's Blue Harbor's portfolio looking?",
    expect: status({ client_id: client(/^Blue Harbor/) }),
  },
  { request: 'Which projects are red or amber and why?', expect: status({ all_active: true }) },
  {
    request: 'how is brand refresh and website going',
    context: {
      projects: [
        ...(context.projects as object[]),
        { id: '00000000-0000-4000-8000-000000000b01', name: 'Brand Refresh & Website', aliases: ['BB-101'] },
      ],
    },
    expect: status({ project_id: '00000000-0000-4000-8000-000000000b01' }),
  },
  {
    request: 'status of Brand Refresh & Website',
    context: {
      projects: [
        ...(context.projects as object[]),
        { id: '00000000-0000-4000-8000-000000000b01', name: 'Brand Refresh & Website', aliases: ['BB-101'] },
      ],
    },
    expect: status({ project_id: '00000000-0000-4000-8000-000000000b01' }),
  },
  // Baselines
  {
    request: 'Take a baseline of NW-203',
    expect: { tool: 'baseline_project', input: { project_id: project(/^NW-203$/) } },
  },
  {
    request: 'baseline the Fleet Telemetry Platform',
    expect: { tool: 'baseline_project', input: { project_id: project(/^Fleet Telemetry/) } },
  },
  {
    request: 'Please snapshot NW-205 as a baseline before we change anything',
    expect: { tool: 'baseline_project', input: { project_id: project(/^NW-205$/) } },
  },
  {
    request: 'Compare NW-204 to its baseline',
    expect: { tool: 'compare_to_baseline', input: { project_id: project(/^NW-204$/) } },
  },
  {
    request: 'How far has the Care Coordination Portal slipped against the baseline?',
    expect: { tool: 'compare_to_baseline', input: { project_id: project(/^Care Coordination/) } },
  },
  {
    request: 'baseline variance for the driver app',
    expect: { tool: 'compare_to_baseline', input: { project_id: project(/^Driver App/) } },
  },
  // Replans
  {
    request: 'Replan the E-commerce Replatform so it finishes two weeks earlier',
    expect: {
      tool: 'propose_replan',
      input: { project_id: project(/^E-commerce/), change: 'finish_earlier', days: 14 },
    },
  },
  {
    request: 'Push the start of Lab Data Integration to 1 February',
    expect: {
      tool: 'propose_replan',
      input: { project_id: project(/^Lab Data/), change: 'move_start', date: '2027-02-01' },
    },
  },
  {
    request: 'Priya is out in March, replan NW-201',
    expect: {
      tool: 'propose_replan',
      input: {
        project_id: project(/^NW-201$/),
        change: 'person_unavailable',
        person_id: person(/^Priya/),
        from: '2027-03-01',
        to: '2027-03-31',
      },
    },
  },
  {
    request: 'Can we bring the Driver App go-live forward by a week?',
    expect: {
      tool: 'propose_replan',
      input: { project_id: project(/^Driver App/), change: 'finish_earlier', days: 7 },
    },
  },
  {
    request: 'Delay NW-206 by three weeks',
    expect: {
      tool: 'propose_replan',
      input: { project_id: project(/^NW-206$/), change: 'finish_later', days: 21 },
    },
  },
  {
    request: 'move the end date of the wealth dashboard to 26 February',
    expect: {
      tool: 'propose_replan',
      input: { project_id: project(/^Wealth/), change: 'finish_by', date: '2027-02-26' },
    },
  },
  { request: 'replan it so it finishes earlier', expect: ask(/which project/i) },
  // Scheduling against real capacity
  {
    request: 'Show me the critical path for NW-203',
    expect: { tool: 'schedule_project', input: { project_id: project(/^NW-203$/) } },
  },
  {
    request: 'Schedule NW-207 against our real capacity',
    expect: { tool: 'schedule_project', input: { project_id: project(/^NW-207$/) } },
  },
  {
    request: 'What sets the end date of the Smart Meter Data Platform?',
    expect: { tool: 'schedule_project', input: { project_id: project(/^Smart Meter/) } },
  },
  {
    request: 'level the resources on the Claims Data Warehouse',
    expect: { tool: 'schedule_project', input: { project_id: project(/^Claims Data/) } },
  },
  // Not for this agent, or not understood: say so, change nothing
  { request: 'Who is over-allocated next week?', expect: ask(/resourcing/i) },
  { request: 'Quote 200h senior dev at 30% margin', expect: ask(/quotes/i) },
  { request: 'asdf qwerty', expect: ask(/I can plan a new project/i) },
]

export const projectCorpus: AgentCorpus = {
  name: 'project',
  cases: CORPUS,
  options: {
    playbook: projectPlaybook,
    tools: projectAgent.tools,
    context,
    agentType: 'project_management',
  },
}
