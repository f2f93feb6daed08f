import type { RequestContext } from '../context.js'

/** A small firm's known names, shared by the parser tests. Wednesday 25 Nov 2026 is "today". */
export const TEST_CONTEXT: RequestContext = {
  today: '2026-11-25',
  clients: [
    { id: 'c-acme', name: 'Acme Corp' },
    { id: 'c-globex', name: 'Globex Industries' },
    { id: 'c-initech', name: 'Initech', aliases: ['Initrode'] },
    { id: 'c-umbrella', name: 'Umbrella Health' },
  ],
  projects: [
    { id: 'p-acme-web', name: 'Acme Website Rebuild', clientId: 'c-acme' },
    { id: 'p-globex-erp', name: 'Globex ERP Migration', clientId: 'c-globex' },
  ],
  people: [
    { id: 'u-priya', name: 'Priya Sharma' },
    { id: 'u-tom', name: 'Tom Becker' },
  ],
  quotes: [{ id: 'q-17', reference: 'Q-2026-017', clientId: 'c-acme' }],
  roles: ['Senior Developer', 'Developer', 'Designer', 'QA Engineer', 'Project Manager'],
  skills: ['React', 'Node.js', 'UX Research'],
}
