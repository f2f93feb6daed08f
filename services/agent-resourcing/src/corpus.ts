import { type AgentCorpus, type CorpusCase, demoModelContext } from '@psa/agent-models/testing'
import { generateDemoData, NORTHWIND_ORGANISATION_ID } from '@psa/demo-data'
import { resourcingAgent } from './agent.js'
import { resourcingPlaybook } from './playbook.js'

// How resource managers ask, on the demo firm (Northwind, today Wednesday 25 Nov 2026): the first step the
// offline model takes for each request. The pass rate is printed and must stay at or above 90%.
const { context, client, project, person } = demoModelContext(
  generateDemoData({ today: '2026-11-25' }).tables,
  NORTHWIND_ORGANISATION_ID,
  '2026-11-25',
)

const candidates = (input: Record<string, unknown> = {}) => ({ tool: 'find_candidates', input })
const requests = (input: Record<string, unknown>) => ({ tool: 'list_open_requests', input })
const staff = (input: Record<string, unknown>) => ({ tool: 'staff_requests', input })
const book = (input: Record<string, unknown>) => ({ tool: 'propose_allocation', input })
const report = (view: string, input: Record<string, unknown> = {}) => ({
  tool: 'capacity_report',
  input: { view, ...input },
})
const whatIf = (input: Record<string, unknown>) => ({ tool: 'what_if_capacity', input })
const ask = (pattern: RegExp) => ({ ask: pattern })

const CORPUS: CorpusCase[] = [
  // Candidates
  {
    request:
      "Who can staff Acme's React roles next month without pushing anyone past their utilisation target?",
    expect: requests({ client_id: client(/^Acme/), skill: 'React' }),
  },
  {
    request: 'Find me a senior developer with React and TypeScript at 4+ for 3 weeks from 7 December',
    expect: candidates({
      role: 'Senior Developer',
      skill: 'React',
      min_proficiency: 4,
      also_skills: [{ skill: 'TypeScript', min_proficiency: 4 }],
      starts_on: '2026-12-07',
      ends_on: '2026-12-27',
    }),
  },
  {
    request: "who's available for a UX researcher role in January?",
    expect: candidates({ role: 'UX Researcher' }),
  },
  {
    request: 'I need a data engineer 3 days a week from 4 Jan',
    expect: candidates({ role: 'Data Engineer', hours_per_week: 24, starts_on: '2027-01-04' }),
  },
  {
    request: 'Find a QA engineer for 20h/week next month',
    expect: candidates({
      role: 'QA Engineer',
      hours_per_week: 20,
      starts_on: '2026-12-01',
      ends_on: '2026-12-31',
    }),
  },
  { request: 'shortlist designers free in the next four weeks', expect: candidates({ role: 'Designer' }) },
  { request: 'Who knows Kubernetes and is free next week?', expect: candidates({ skill: 'Kubernetes' }) },
  {
    request: 'best fit for a lead developer with AWS, 2 days a week',
    expect: candidates({ role: 'Lead Developer', skill: 'AWS', hours_per_week: 16 }),
  },
  { request: 'the React people: who is free in December?', expect: candidates({ skill: 'React' }) },
  {
    request: 'any Python devs available from 11 January?',
    expect: candidates({ skill: 'Python', starts_on: '2027-01-11' }),
  },
  { request: 'Who is free for Salesforce work next month', expect: candidates({ skill: 'Salesforce' }) },
  {
    request: 'Find a devops engineer who knows Terraform at 3+',
    expect: candidates({ role: 'DevOps Engineer', skill: 'Terraform', min_proficiency: 3 }),
  },
  {
    request: 'need two senior devs with Node.js for 6 weeks starting 4 January',
    expect: candidates({ role: 'Senior Developer', skill: 'Node.js' }),
  },
  {
    request: 'recommend a business analyst, 3 days a week, from 1 Feb',
    expect: candidates({ role: 'Business Analyst', hours_per_week: 24 }),
  },
  {
    request: 'Who could take 16 hours a week of Power BI work in January?',
    expect: candidates({ skill: 'Power BI', hours_per_week: 16 }),
  },
  // Staffing
  {
    request: 'Staff the open requests of NW-304',
    expect: staff({ project_id: project(/^NW-304$/), objective: 'blend' }),
  },
  { request: 'staff NW-501', expect: staff({ project_id: project(/^NW-501$/) }) },
  {
    request: 'Fill the open roles on the Customer Self-Service Portal',
    expect: staff({ project_id: project(/^Customer Self-Service/) }),
  },
  { request: 'Resource the Acme projects', expect: staff({ client_id: client(/^Acme/) }) },
  { request: 'Staff all open requests', expect: staff({ all_open: true, objective: 'blend' }) },
  {
    request: 'staff all open requests for NW-204',
    expect: staff({ project_id: project(/^NW-204$/), objective: 'blend' }),
  },
  { request: 'staff the open roles at lowest cost', expect: staff({ all_open: true, objective: 'cost' }) },
  {
    request: "fill Cedar Health's open requests, best fit first",
    expect: staff({ client_id: client(/^Cedar Health/), objective: 'fit' }),
  },
  {
    request: 'staff everything open balancing utilisation',
    expect: staff({ all_open: true, objective: 'balance' }),
  },
  {
    request: 'Staff NW-304 as cheaply as possible, soft bookings',
    expect: staff({ project_id: project(/^NW-304$/), objective: 'cost', kind: 'soft' }),
  },
  {
    request: 'staff the Acme projects with the best skill fit',
    expect: staff({ client_id: client(/^Acme/), objective: 'fit' }),
  },
  {
    request: 'Fill the open requests on NW-303 and spread the load evenly',
    expect: staff({ project_id: project(/^NW-303$/), objective: 'balance' }),
  },
  {
    request: 'staff the React requests of Acme at the lowest cost',
    expect: staff({ client_id: client(/^Acme/), skill: 'React', objective: 'cost' }),
  },
  {
    request: 'Staff NW-302 without pushing anyone past their utilisation target',
    expect: staff({ project_id: project(/^NW-302$/), respect_utilisation_target: true }),
  },
  {
    request: 'Book Priya Raman on NW-201 at 20 hours a week from next Monday for 4 weeks',
    expect: book({
      allocations: [
        {
          person_id: person(/^Priya/),
          project_id: project(/^NW-201$/),
          hours_per_week: 20,
          starts_on: '2026-11-30',
        },
      ],
    }),
  },
  {
    request: 'hard book Hannah Weiss on the Driver App 3 days a week in January',
    expect: book({
      allocations: [
        {
          person_id: person(/^Hannah/),
          project_id: project(/^Driver App/),
          hours_per_week: 24,
          kind: 'hard',
        },
      ],
    }),
  },
  {
    request: 'assign Marcus to NW-203 for 16h/week starting 7 Dec for 6 weeks',
    expect: book({
      allocations: [
        {
          person_id: person(/^Marcus/),
          project_id: project(/^NW-203$/),
          hours_per_week: 16,
          starts_on: '2026-12-07',
        },
      ],
    }),
  },
  // Over-allocation and conflicts
  {
    request: 'Who is over-allocated next week?',
    expect: report('over_allocation', { from: '2026-11-30', to: '2026-12-06' }),
  },
  {
    request: 'Any double bookings in December?',
    expect: report('over_allocation', { from: '2026-12-01', to: '2026-12-31' }),
  },
  {
    request: 'show me booking conflicts across the firm for the next 4 weeks',
    expect: report('over_allocation'),
  },
  { request: "who's overbooked", expect: report('over_allocation') },
  {
    request: 'Is anyone booked over capacity in January?',
    expect: report('over_allocation', { from: '2027-01-01' }),
  },
  {
    request: 'are the senior developers overallocated this month?',
    expect: report('over_allocation', { role: 'Senior Developer' }),
  },
  // Utilisation
  {
    request: "What's our utilisation forecast for Q1?",
    expect: report('utilisation', { from: '2027-01-01', to: '2027-03-31' }),
  },
  { request: 'utilisation by role for the next 8 weeks', expect: report('utilisation') },
  { request: 'How busy are the designers in January?', expect: report('utilisation', { role: 'Designer' }) },
  { request: 'who is below their utilisation target this month', expect: report('utilisation') },
  { request: 'forecast billable hours for December', expect: report('utilisation', { from: '2026-12-01' }) },
  {
    request: 'capacity forecast for the QA engineers over the next 6 weeks',
    expect: report('utilisation', { role: 'QA Engineer' }),
  },
  // Bench
  { request: "Who's on the bench next week?", expect: report('bench', { from: '2026-11-30' }) },
  { request: 'who is free next week', expect: report('bench') },
  { request: 'spare capacity in the next two weeks?', expect: report('bench') },
  { request: 'who has nothing booked in January', expect: report('bench', { from: '2027-01-01' }) },
  { request: 'who is idle right now', expect: report('bench') },
  // Listing what is open stages nothing
  { request: 'what open resource requests do we have?', expect: requests({ all_projects: true }) },
  { request: 'show me the unfilled roles on NW-304', expect: requests({ project_id: project(/^NW-304$/) }) },
  // What-if
  {
    request: 'what happens to capacity if Marcus leaves at the end of December',
    expect: whatIf({ leaving_person_id: person(/^Marcus/) }),
  },
  { request: 'What if we win NW-501?', expect: whatIf({ win_project_id: project(/^NW-501$/) }) },
  {
    request: 'What happens if we win the ERP Integration Pilot at 60%? Who would be over capacity?',
    expect: whatIf({ win_project_id: project(/^ERP Integration/), win_probability_pct: 60 }),
  },
  {
    request: 'What if Priya leaves on 1 February?',
    expect: whatIf({ leaving_person_id: person(/^Priya/), leaving_on: '2027-02-01' }),
  },
  {
    request: 'scenario: Marcus Chen quits in January, who would be over capacity?',
    expect: whatIf({ leaving_person_id: person(/^Marcus/) }),
  },
  { request: 'what if', expect: ask(/what-if/i) },
  // Not for this agent, or not understood
  { request: 'Plan a 12-week website rebuild for Acme starting 5 Jan', expect: ask(/project management/i) },
  { request: 'hmm', expect: ask(/could not tell/i) },
]

export const resourcingCorpus: AgentCorpus = {
  name: 'resourcing',
  cases: CORPUS,
  options: {
    playbook: resourcingPlaybook,
    tools: resourcingAgent.tools,
    context,
    agentType: 'resourcing',
  },
}
