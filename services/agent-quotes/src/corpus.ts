import { type AgentCorpus, type CorpusCase, demoModelContext } from '@psa/agent-models/testing'
import { generateDemoData, NORTHWIND_ORGANISATION_ID } from '@psa/demo-data'
import { quotesAgent } from './agent.js'
import { quotesPlaybook } from './playbook.js'

// How account leads ask for prices and quotes, on the demo firm (Northwind, today Wednesday 25 Nov 2026):
// the first step the offline model takes for each request. The pass rate is printed; it must stay >= 90%.
const demo = generateDemoData({ today: '2026-11-25' })
const { context, client } = demoModelContext(demo.tables, NORTHWIND_ORGANISATION_ID, '2026-11-25')
const aQuote = (
  demo.tables.quotes.find((q) => q.organisation_id === NORTHWIND_ORGANISATION_ID) as { id: string }
).id

const price = (input: Record<string, unknown>) => ({ tool: 'price_quote', input })
const propose = (input: Record<string, unknown>) => ({ tool: 'propose_quote', input })
const revise = (input: Record<string, unknown>) => ({ tool: 'revise_quote', input })
const ask = (pattern: RegExp) => ({ ask: pattern })
const line = (role: string, hours: number) => ({ role, hours })

const CORPUS: CorpusCase[] = [
  // New quotes and prices
  {
    request: 'Quote 200h senior dev + 80h design at 30% margin, client rate card, 5% discount',
    expect: price({
      lines: [line('Senior Developer', 200), line('Designer', 80)],
      target_margin_pct: 30,
      discount_pct: 5,
      rate_card: 'client',
    }),
  },
  {
    request: 'Quote 200h senior dev + 80h design for Acme at 30% margin, client rate card, 5% discount',
    expect: propose({ client_id: client(/^Acme/), target_margin_pct: 30, discount_pct: 5 }),
  },
  {
    request: 'how much for 60 hours of UX research for Civic Transit?',
    expect: price({ lines: [line('UX Researcher', 60)] }),
  },
  {
    request: 'what would 150h of data engineering cost Greenfield at a 30% margin?',
    expect: price({ lines: [line('Data Engineer', 150)], target_margin_pct: 30 }),
  },
  {
    request: 'draft a fixed price quote for Summit Insurance: backend 100-140-200h, QA 40-60-90h',
    expect: ask(
      /Which role is "100-140-200h" \(backend\) for: Junior Developer, Senior Developer or Lead Developer\?/,
    ),
  },
  {
    request: 'Price 80h UX researcher for Cedar Health',
    expect: propose({ lines: [line('UX Researcher', 80)] }),
  },
  {
    request: 'quote Acme 120 hours of QA with a 20% markup',
    expect: propose({ lines: [line('QA Engineer', 120)], markup_pct: 20 }),
  },
  {
    request: 'Quote 300h senior developer for Blue Harbor with a 10% discount but keep margin above 25%',
    expect: propose({ discount_pct: 10, margin_floor_pct: 25, target_margin_pct: 25 }),
  },
  {
    request: 'Quote senior backend dev 120-160-240h and designer 40-60-90h for Lumen Media',
    expect: propose({
      lines: [
        { role: 'Senior Developer', optimistic_hours: 120, likely_hours: 160, pessimistic_hours: 240 },
        { role: 'Designer', optimistic_hours: 40, likely_hours: 60, pessimistic_hours: 90 },
      ],
    }),
  },
  {
    request: 'what would 100h of a lead developer cost at the standard rate card?',
    expect: price({ lines: [line('Lead Developer', 100)], rate_card: 'standard' }),
  },
  {
    request: 'Fixed fee quote for Orbital Logistics: 400h senior dev, 100h QA, 60h PM',
    expect: propose({
      client_id: client(/^Orbital/),
      pricing_model: 'fixed_fee',
      lines: [line('Senior Developer', 400), line('QA Engineer', 100), line('Project Manager', 60)],
    }),
  },
  {
    request: 'Retainer for Greenfield Energy: 40 hours a month of devops for 6 months',
    expect: propose({ pricing_model: 'retainer', retainer_months: 6, lines: [line('DevOps Engineer', 40)] }),
  },
  {
    request: 'T&M quote for Nova Biotech: 160h data engineer, 40h solution architect, 25% margin',
    expect: propose({
      pricing_model: 'time_and_materials',
      target_margin_pct: 25,
      lines: [line('Data Engineer', 160), line('Solution Architect', 40)],
    }),
  },
  {
    request: 'How much would 250h of senior dev and 50h of QA cost Summit Insurance?',
    expect: price({
      client_id: client(/^Summit/),
      lines: [line('Senior Developer', 250), line('QA Engineer', 50)],
    }),
  },
  {
    request:
      'Quote 60h business analyst and 120h senior developer for Pioneer Manufacturing at 35% margin with 10% contingency',
    expect: propose({ target_margin_pct: 35, contingency_pct: 10 }),
  },
  {
    request: 'quote for civic transit: 200 hrs junior dev, 100 hrs senior dev',
    expect: propose({ lines: [line('Junior Developer', 200), line('Senior Developer', 100)] }),
  },
  {
    request: 'Give me a quote for Acme: 40h PM, 160h senior dev, 80h QA, 5% discount',
    expect: propose({ discount_pct: 5 }),
  },
  {
    request: "quote 500h lead developer for Blue Harbor, 15% discount, don't go below 20% margin",
    expect: propose({ discount_pct: 15, margin_floor_pct: 20 }),
  },
  {
    request: 'Quote 90h designer at a 40% markup',
    expect: price({ markup_pct: 40, lines: [line('Designer', 90)] }),
  },
  {
    request: 'Draft a quote for Cedar Health: 100-150h data engineer',
    expect: propose({
      lines: [{ role: 'Data Engineer', optimistic_hours: 100, likely_hours: 125, pessimistic_hours: 150 }],
    }),
  },
  {
    request: 'price up 120 hours of a senior developer for Lumen Media at 28% margin',
    expect: propose({ target_margin_pct: 28 }),
  },
  { request: 'quote 2 weeks of a senior developer', expect: ask(/roles and hours/i) },
  { request: 'quote Acme', expect: ask(/roles and hours/i) },
  { request: 'Quote 120h of ninja for Acme', expect: ask(/which role/i) },
  // New versions
  {
    request: 'Revise the Acme quote: drop design to 60h',
    expect: revise({ client_id: client(/^Acme/), set_lines: [line('Designer', 60)] }),
  },
  {
    request: 'update the Blue Harbor quote with a 10% discount',
    expect: revise({ client_id: client(/^Blue Harbor/), discount_pct: 10 }),
  },
  {
    request: 'new version of the Cedar Health quote with margin at 35%',
    expect: revise({ target_margin_pct: 35 }),
  },
  {
    request: 'Raise the margin to 32% on this quote',
    context: { quoteId: aQuote },
    expect: revise({ quote_id: aQuote, target_margin_pct: 32 }),
  },
  {
    request: 'add 40h QA to the Lumen Media quote',
    expect: revise({ set_lines: [line('QA Engineer', 40)] }),
  },
  { request: 'remove QA from the Orbital quote', expect: revise({ remove_roles: ['QA Engineer'] }) },
  { request: 'requote Acme with a 20% markup', expect: revise({ markup_pct: 20 }) },
  { request: 'change the Greenfield quote to fixed fee', expect: revise({ pricing_model: 'fixed_fee' }) },
  { request: 'revise the quote', expect: ask(/which quote/i) },
  { request: 'Revise the Acme quote', expect: ask(/what to change/i) },
  // Approval (the agent asks who approves and never approves itself)
  {
    request: 'Send the Acme quote for approval to an admin',
    expect: { tool: 'request_quote_approval', input: { client_id: client(/^Acme/), approver_role: 'admin' } },
  },
  {
    request: 'request approval for this quote from the owner',
    context: { quoteId: aQuote },
    expect: { tool: 'request_quote_approval', input: { quote_id: aQuote, approver_role: 'owner' } },
  },
  { request: 'submit the Blue Harbor quote for sign-off', expect: ask(/admin or an owner/i) },
  {
    request: 'get approval on the Lumen quote, admin please',
    expect: { tool: 'request_quote_approval', input: { approver_role: 'admin' } },
  },
  { request: 'Approve the Acme quote', expect: ask(/never approve/i) },
  // Converting an accepted quote
  {
    request: 'Convert the won Acme quote into a project',
    expect: { tool: 'convert_quote_to_project', input: { client_id: client(/^Acme/) } },
  },
  {
    request: 'the Cedar Health quote was accepted, set it up as a project starting 4 January',
    expect: {
      tool: 'convert_quote_to_project',
      input: { client_id: client(/^Cedar/), starts_on: '2027-01-04' },
    },
  },
  {
    request: 'turn this quote into a project',
    context: { quoteId: aQuote },
    expect: { tool: 'convert_quote_to_project', input: { quote_id: aQuote } },
  },
  {
    request: 'create a project from the Blue Harbor quote',
    expect: { tool: 'convert_quote_to_project', input: { client_id: client(/^Blue Harbor/) } },
  },
  // Not for this agent, or not understood
  { request: 'Who is over-allocated next week?', expect: ask(/resourcing/i) },
  { request: 'Plan a discovery for Cedar Health', expect: ask(/project management/i) },
  { request: 'lorem ipsum', expect: ask(/could not tell what to quote/i) },
]

export const quotesCorpus: AgentCorpus = {
  name: 'quotes',
  cases: CORPUS,
  options: {
    playbook: quotesPlaybook,
    tools: quotesAgent.tools,
    context,
    agentType: 'quotes',
  },
}
