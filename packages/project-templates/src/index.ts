/**
 * Project plan templates as data: phases with a share of the project's length, tasks with preferred roles,
 * full-time equivalents and the part of the phase they run in, dependencies of every type with lags, and a
 * milestone per phase. @psa/agent-project sizes them to a requested length and budget.
 */

export type TemplateName =
  | 'website'
  | 'software'
  | 'data'
  | 'mobile_app'
  | 'erp_rollout'
  | 'discovery'
  | 'generic'

export type DependencyType = 'finish_to_start' | 'start_to_start' | 'finish_to_finish' | 'start_to_finish'

/** A predecessor in the same phase: its key (finish-to-start, no lag) or the dependency in full. */
export type After = string | { task: string; type: DependencyType; lagDays?: number }

export interface TaskTemplate {
  key: string
  name: string
  /** Preferred role names, best first; the organisation's first match is used. */
  roles: readonly string[]
  /** Full-time equivalents working on the task while it runs. */
  fte: number
  /** Share of the phase the task runs in, [start, end) as fractions of the phase's working days. */
  span?: readonly [number, number]
  /** Tasks of the same phase this one depends on (finish-to-start unless said; lags in calendar days). */
  after?: readonly After[]
}

export interface PhaseTemplate {
  key: string
  name: string
  weight: number
  milestone: string
  tasks: readonly TaskTemplate[]
}

export const PM: TaskTemplate = {
  key: 'pm',
  name: 'Project management and reporting',
  roles: ['Project Manager'],
  fte: 0.25,
}

const WEBSITE: readonly PhaseTemplate[] = [
  {
    key: 'discovery',
    name: 'Discovery',
    weight: 0.15,
    milestone: 'Discovery complete',
    tasks: [
      {
        key: 'interviews',
        name: 'Stakeholder interviews and analytics review',
        roles: ['UX Researcher', 'Business Analyst'],
        fte: 0.6,
        span: [0, 0.5],
      },
      {
        key: 'requirements',
        name: 'Requirements and content inventory',
        roles: ['Business Analyst', 'Project Manager'],
        fte: 0.6,
        span: [0.5, 1],
        after: ['interviews'],
      },
      {
        key: 'architecture',
        name: 'Technical discovery and architecture',
        roles: ['Solution Architect', 'Lead Developer'],
        fte: 0.5,
      },
    ],
  },
  {
    key: 'design',
    name: 'Design',
    weight: 0.2,
    milestone: 'Design sign-off',
    tasks: [
      {
        key: 'ia',
        name: 'Information architecture and wireframes',
        roles: ['UX Researcher', 'Designer'],
        fte: 0.8,
        span: [0, 0.5],
      },
      {
        key: 'visual',
        name: 'Visual design and design system',
        roles: ['Designer'],
        fte: 1,
        span: [0.4, 1],
        after: [],
      },
      {
        key: 'prototype',
        name: 'Prototype and usability test',
        roles: ['UX Researcher', 'Designer'],
        fte: 0.5,
        span: [0.5, 1],
        after: ['ia'],
      },
    ],
  },
  {
    key: 'build',
    name: 'Build',
    weight: 0.4,
    milestone: 'Build complete',
    tasks: [
      { key: 'frontend', name: 'Front-end build', roles: ['Senior Developer', 'Lead Developer'], fte: 1 },
      {
        key: 'backend',
        name: 'CMS, back end and integrations',
        roles: ['Senior Developer', 'Lead Developer'],
        fte: 1,
      },
      {
        key: 'content',
        name: 'Content migration',
        roles: ['Junior Developer', 'Business Analyst'],
        fte: 0.5,
        span: [0.3, 1],
      },
      { key: 'platform', name: 'Environments, CI/CD and hosting', roles: ['DevOps Engineer'], fte: 0.3 },
    ],
  },
  {
    key: 'test',
    name: 'Test',
    weight: 0.15,
    milestone: 'UAT sign-off',
    tasks: [
      {
        key: 'qa',
        name: 'QA, accessibility and performance testing',
        roles: ['QA Engineer'],
        fte: 1,
        span: [0, 0.6],
      },
      {
        key: 'uat',
        name: 'User acceptance testing and fixes',
        roles: ['Senior Developer', 'QA Engineer'],
        fte: 0.8,
        span: [0.6, 1],
        after: ['qa'],
      },
    ],
  },
  {
    key: 'launch',
    name: 'Launch',
    weight: 0.1,
    milestone: 'Go-live',
    tasks: [
      {
        key: 'golive',
        name: 'Go-live and hypercare',
        roles: ['DevOps Engineer', 'Senior Developer'],
        fte: 0.6,
      },
      {
        key: 'handover',
        name: 'Training and handover',
        roles: ['Project Manager', 'Business Analyst'],
        fte: 0.4,
      },
    ],
  },
]

const SOFTWARE: readonly PhaseTemplate[] = [
  {
    key: 'discovery',
    name: 'Discovery',
    weight: 0.15,
    milestone: 'Discovery complete',
    tasks: [
      {
        key: 'requirements',
        name: 'Requirements and backlog',
        roles: ['Business Analyst', 'Project Manager'],
        fte: 0.8,
      },
      {
        key: 'architecture',
        name: 'Solution architecture',
        roles: ['Solution Architect', 'Lead Developer'],
        fte: 0.6,
      },
      { key: 'ux', name: 'User research and journeys', roles: ['UX Researcher', 'Designer'], fte: 0.5 },
    ],
  },
  {
    key: 'design',
    name: 'Design',
    weight: 0.15,
    milestone: 'Design sign-off',
    tasks: [
      { key: 'ui', name: 'UI design', roles: ['Designer'], fte: 1 },
      {
        key: 'technical',
        name: 'Technical design and spikes',
        roles: ['Lead Developer', 'Senior Developer'],
        fte: 0.8,
      },
    ],
  },
  {
    key: 'build',
    name: 'Build',
    weight: 0.45,
    milestone: 'Feature complete',
    tasks: [
      { key: 'core', name: 'Core features', roles: ['Senior Developer', 'Lead Developer'], fte: 2 },
      {
        key: 'integrations',
        name: 'Integrations and APIs',
        roles: ['Senior Developer', 'Lead Developer'],
        fte: 1,
      },
      { key: 'platform', name: 'Infrastructure and CI/CD', roles: ['DevOps Engineer'], fte: 0.4 },
      { key: 'testing', name: 'Test automation', roles: ['QA Engineer'], fte: 0.6, span: [0.25, 1] },
    ],
  },
  {
    key: 'test',
    name: 'Test',
    weight: 0.15,
    milestone: 'UAT sign-off',
    tasks: [
      {
        key: 'system',
        name: 'System and regression testing',
        roles: ['QA Engineer'],
        fte: 1,
        span: [0, 0.6],
      },
      {
        key: 'uat',
        name: 'User acceptance testing and fixes',
        roles: ['Senior Developer', 'QA Engineer'],
        fte: 1,
        span: [0.6, 1],
        after: ['system'],
      },
    ],
  },
  {
    key: 'launch',
    name: 'Launch',
    weight: 0.1,
    milestone: 'Go-live',
    tasks: [
      {
        key: 'release',
        name: 'Release and hypercare',
        roles: ['DevOps Engineer', 'Senior Developer'],
        fte: 0.6,
      },
      {
        key: 'handover',
        name: 'Training and handover',
        roles: ['Project Manager', 'Business Analyst'],
        fte: 0.4,
      },
    ],
  },
]

const DATA: readonly PhaseTemplate[] = [
  {
    key: 'discovery',
    name: 'Discovery',
    weight: 0.15,
    milestone: 'Discovery complete',
    tasks: [
      {
        key: 'sources',
        name: 'Source system analysis',
        roles: ['Data Engineer', 'Business Analyst'],
        fte: 0.8,
      },
      { key: 'requirements', name: 'Reporting requirements', roles: ['Business Analyst'], fte: 0.6 },
    ],
  },
  {
    key: 'design',
    name: 'Data model and architecture',
    weight: 0.15,
    milestone: 'Architecture sign-off',
    tasks: [
      { key: 'model', name: 'Data model design', roles: ['Data Engineer', 'Solution Architect'], fte: 1 },
      {
        key: 'platform',
        name: 'Platform architecture',
        roles: ['Solution Architect', 'DevOps Engineer'],
        fte: 0.5,
      },
    ],
  },
  {
    key: 'build',
    name: 'Pipelines and build',
    weight: 0.45,
    milestone: 'Pipelines complete',
    tasks: [
      { key: 'pipelines', name: 'Ingestion pipelines', roles: ['Data Engineer'], fte: 1.5 },
      {
        key: 'dashboards',
        name: 'Dashboards and reports',
        roles: ['Senior Developer', 'Data Engineer'],
        fte: 0.8,
        span: [0.3, 1],
      },
      { key: 'infrastructure', name: 'Infrastructure and monitoring', roles: ['DevOps Engineer'], fte: 0.4 },
    ],
  },
  {
    key: 'test',
    name: 'Validation',
    weight: 0.15,
    milestone: 'Data validated',
    tasks: [
      {
        key: 'quality',
        name: 'Data quality checks and reconciliation',
        roles: ['QA Engineer', 'Data Engineer'],
        fte: 1,
      },
    ],
  },
  {
    key: 'launch',
    name: 'Launch',
    weight: 0.1,
    milestone: 'Go-live',
    tasks: [
      {
        key: 'cutover',
        name: 'Cut-over and hypercare',
        roles: ['Data Engineer', 'DevOps Engineer'],
        fte: 0.6,
      },
      {
        key: 'handover',
        name: 'Training and handover',
        roles: ['Business Analyst', 'Project Manager'],
        fte: 0.4,
      },
    ],
  },
]

/** For plans shorter than five weeks: fewer, merged phases. */
export const COMPACT: readonly PhaseTemplate[] = [
  {
    key: 'discovery',
    name: 'Discovery and design',
    weight: 0.3,
    milestone: 'Design sign-off',
    tasks: [
      { key: 'requirements', name: 'Requirements', roles: ['Business Analyst', 'Project Manager'], fte: 0.6 },
      { key: 'design', name: 'Design', roles: ['Designer', 'Solution Architect'], fte: 0.8 },
    ],
  },
  {
    key: 'build',
    name: 'Build and test',
    weight: 0.5,
    milestone: 'Build complete',
    tasks: [
      { key: 'build', name: 'Build', roles: ['Senior Developer', 'Lead Developer'], fte: 1.5 },
      { key: 'testing', name: 'Testing', roles: ['QA Engineer'], fte: 0.6, span: [0.4, 1] },
    ],
  },
  {
    key: 'launch',
    name: 'Launch',
    weight: 0.2,
    milestone: 'Go-live',
    tasks: [
      {
        key: 'release',
        name: 'Release and handover',
        roles: ['DevOps Engineer', 'Senior Developer'],
        fte: 0.6,
      },
    ],
  },
]

const MOBILE_APP: readonly PhaseTemplate[] = [
  {
    key: 'discovery',
    name: 'Discovery',
    weight: 0.15,
    milestone: 'Scope signed off',
    tasks: [
      {
        key: 'research',
        name: 'User research and journeys',
        roles: ['UX Researcher', 'Designer'],
        fte: 0.6,
        span: [0, 0.6],
      },
      {
        key: 'backlog',
        name: 'Backlog and release plan',
        roles: ['Business Analyst', 'Project Manager'],
        fte: 0.5,
        after: [{ task: 'research', type: 'start_to_start', lagDays: 3 }],
      },
      {
        key: 'architecture',
        name: 'App and API architecture',
        roles: ['Solution Architect', 'Lead Developer'],
        fte: 0.5,
      },
    ],
  },
  {
    key: 'design',
    name: 'Design',
    weight: 0.2,
    milestone: 'Designs approved',
    tasks: [
      { key: 'ux', name: 'Flows, wireframes and prototype', roles: ['Designer'], fte: 1, span: [0, 0.7] },
      {
        key: 'ui',
        name: 'UI design and design system',
        roles: ['Designer'],
        fte: 0.8,
        span: [0.3, 1],
        after: [{ task: 'ux', type: 'start_to_start', lagDays: 5 }],
      },
      {
        key: 'usability',
        name: 'Usability tests',
        roles: ['UX Researcher', 'Designer'],
        fte: 0.4,
        span: [0.6, 1],
        after: [{ task: 'ux', type: 'finish_to_finish', lagDays: 3 }],
      },
    ],
  },
  {
    key: 'build',
    name: 'Build',
    weight: 0.45,
    milestone: 'Beta in the stores',
    tasks: [
      { key: 'api', name: 'Backend and API', roles: ['Senior Developer', 'Lead Developer'], fte: 1 },
      {
        key: 'app',
        name: 'iOS and Android app',
        roles: ['Senior Developer', 'Lead Developer'],
        fte: 1.5,
        after: [{ task: 'api', type: 'start_to_start', lagDays: 7 }],
      },
      {
        key: 'qa',
        name: 'Device testing',
        roles: ['QA Engineer'],
        fte: 0.6,
        span: [0.3, 1],
        after: [{ task: 'app', type: 'finish_to_finish', lagDays: 2 }],
      },
    ],
  },
  {
    key: 'launch',
    name: 'Launch',
    weight: 0.2,
    milestone: 'Live in the stores',
    tasks: [
      {
        key: 'release',
        name: 'Store submission and release',
        roles: ['DevOps Engineer', 'Senior Developer'],
        fte: 0.5,
      },
      {
        key: 'hypercare',
        name: 'Hypercare',
        roles: ['Senior Developer', 'QA Engineer'],
        fte: 0.5,
        after: [{ task: 'release', type: 'finish_to_start', lagDays: 2 }],
      },
    ],
  },
]

const ERP_ROLLOUT: readonly PhaseTemplate[] = [
  {
    key: 'design',
    name: 'Process design',
    weight: 0.2,
    milestone: 'Process design signed off',
    tasks: [
      {
        key: 'fitgap',
        name: 'Fit-gap workshops',
        roles: ['Business Analyst', 'Solution Architect'],
        fte: 1,
        span: [0, 0.7],
      },
      {
        key: 'solution',
        name: 'Solution design',
        roles: ['Solution Architect'],
        fte: 0.6,
        after: [{ task: 'fitgap', type: 'start_to_start', lagDays: 5 }],
      },
    ],
  },
  {
    key: 'configure',
    name: 'Configuration and integration',
    weight: 0.35,
    milestone: 'System test passed',
    tasks: [
      { key: 'config', name: 'Configuration', roles: ['Senior Developer', 'Business Analyst'], fte: 1.2 },
      {
        key: 'integration',
        name: 'Integrations',
        roles: ['Senior Developer', 'Lead Developer'],
        fte: 1,
        after: [{ task: 'config', type: 'start_to_start', lagDays: 10 }],
      },
      {
        key: 'systest',
        name: 'System testing',
        roles: ['QA Engineer'],
        fte: 0.8,
        span: [0.5, 1],
        after: [{ task: 'integration', type: 'finish_to_finish' }],
      },
    ],
  },
  {
    key: 'migrate',
    name: 'Data migration',
    weight: 0.2,
    milestone: 'Data migrated and reconciled',
    tasks: [
      { key: 'extract', name: 'Extract and cleanse', roles: ['Data Engineer'], fte: 1, span: [0, 0.6] },
      {
        key: 'load',
        name: 'Trial loads and reconciliation',
        roles: ['Data Engineer', 'Business Analyst'],
        fte: 0.8,
        after: [{ task: 'extract', type: 'finish_to_start', lagDays: 2 }],
      },
    ],
  },
  {
    key: 'cutover',
    name: 'Training and cutover',
    weight: 0.25,
    milestone: 'Go-live',
    tasks: [
      {
        key: 'uat',
        name: 'User acceptance testing',
        roles: ['Business Analyst', 'QA Engineer'],
        fte: 0.8,
        span: [0, 0.5],
      },
      {
        key: 'training',
        name: 'Key-user training',
        roles: ['Business Analyst'],
        fte: 0.6,
        after: [{ task: 'uat', type: 'start_to_start', lagDays: 5 }],
      },
      {
        key: 'golive',
        name: 'Cutover and hypercare',
        roles: ['DevOps Engineer', 'Senior Developer'],
        fte: 0.8,
        span: [0.6, 1],
        after: ['uat'],
      },
    ],
  },
]

const DISCOVERY: readonly PhaseTemplate[] = [
  {
    key: 'understand',
    name: 'Understand',
    weight: 0.5,
    milestone: 'Research readout',
    tasks: [
      {
        key: 'kickoff',
        name: 'Kick-off and stakeholder interviews',
        roles: ['Business Analyst', 'UX Researcher'],
        fte: 0.8,
        span: [0, 0.6],
      },
      {
        key: 'current',
        name: 'Current-state assessment',
        roles: ['Solution Architect', 'Lead Developer'],
        fte: 0.5,
        after: [{ task: 'kickoff', type: 'start_to_start', lagDays: 3 }],
      },
    ],
  },
  {
    key: 'shape',
    name: 'Shape',
    weight: 0.5,
    milestone: 'Recommendation and roadmap accepted',
    tasks: [
      {
        key: 'options',
        name: 'Options and prototype',
        roles: ['Designer', 'Solution Architect'],
        fte: 0.8,
        span: [0, 0.7],
      },
      {
        key: 'roadmap',
        name: 'Roadmap, estimate and business case',
        roles: ['Project Manager', 'Business Analyst'],
        fte: 0.6,
        after: [{ task: 'options', type: 'finish_to_finish', lagDays: 2 }],
      },
    ],
  },
]

const GENERIC: readonly PhaseTemplate[] = [
  {
    key: 'initiate',
    name: 'Initiation',
    weight: 0.15,
    milestone: 'Plan approved',
    tasks: [
      {
        key: 'scope',
        name: 'Scope, plan and requirements',
        roles: ['Business Analyst', 'Project Manager'],
        fte: 0.8,
      },
    ],
  },
  {
    key: 'deliver',
    name: 'Delivery',
    weight: 0.65,
    milestone: 'Work complete',
    tasks: [
      { key: 'work', name: 'Delivery work', roles: ['Senior Developer', 'Lead Developer'], fte: 1.5 },
      {
        key: 'review',
        name: 'Quality review',
        roles: ['QA Engineer'],
        fte: 0.5,
        span: [0.2, 1],
        after: [{ task: 'work', type: 'finish_to_finish', lagDays: 3 }],
      },
    ],
  },
  {
    key: 'close',
    name: 'Handover',
    weight: 0.2,
    milestone: 'Handover accepted',
    tasks: [
      {
        key: 'handover',
        name: 'Handover and close',
        roles: ['Project Manager', 'Senior Developer'],
        fte: 0.5,
      },
    ],
  },
]

/** Every template, by name. */
export const TEMPLATES: Record<TemplateName, readonly PhaseTemplate[]> = {
  website: WEBSITE,
  software: SOFTWARE,
  data: DATA,
  mobile_app: MOBILE_APP,
  erp_rollout: ERP_ROLLOUT,
  discovery: DISCOVERY,
  generic: GENERIC,
}

export const TEMPLATE_NAMES = Object.keys(TEMPLATES) as TemplateName[]

/** Which template suits a project, from the words in its name or the request (most specific first). */
export function chooseTemplate(text: string): TemplateName {
  const t = text.toLowerCase()
  if (/\b(discovery|assessment|audit|research|strategy|scoping)\b/.test(t)) return 'discovery'
  if (/\b(erp|sap|oracle|netsuite|dynamics|salesforce|crm)\b/.test(t)) return 'erp_rollout'
  if (/\b(mobile|ios|android|app)\b/.test(t)) return 'mobile_app'
  if (/\b(web\s?site|site|web|portal|cms|landing|e-?commerce|shop|store\s*front)\b/.test(t)) return 'website'
  if (/\b(data|analytics|warehouse|lake|pipeline|dashboard|reporting|bi|telemetry|platform)\b/.test(t))
    return 'data'
  if (/\b(software|system|integration|api|build|development|application)\b/.test(t)) return 'software'
  return 'generic'
}
