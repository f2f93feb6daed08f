// Test-only: the model context the runtime builds for a Northwind user (the demo organisation's role and
// client names), for tests of the playbook and the request phrasings without a database.
export const CLIENTS = {
  acme: { id: '0c000000-0000-4000-8000-00000000ac01', name: 'Acme Retail Group' },
  harbor: { id: '0c000000-0000-4000-8000-00000000b401', name: 'Blue Harbor Bank' },
  lumen: { id: '0c000000-0000-4000-8000-00000000c501', name: 'Lumen Media' },
}

export const ROLES = [
  'Business Analyst',
  'Data Engineer',
  'Designer',
  'DevOps Engineer',
  'Engagement Director',
  'Junior Developer',
  'Lead Developer',
  'Project Manager',
  'QA Engineer',
  'Senior Developer',
  'Solution Architect',
  'UX Researcher',
]

export const MODEL_CONTEXT = {
  today: '2026-11-25',
  currency: 'USD',
  clients: Object.values(CLIENTS),
  projects: [],
  people: [],
  roles: ROLES,
  skills: ['React', 'TypeScript', 'Figma', 'Python'],
  autoApplyAllowed: true,
}
