import type { RoleLevel } from './schema.js'

/** Canonical role ids and the words people use for them (singular; plurals are matched automatically). */
export const ROLE_SYNONYMS: Record<string, readonly string[]> = {
  developer: [
    'developer',
    'dev',
    'software engineer',
    'engineer',
    'programmer',
    'coder',
    'tech lead',
    'technical lead',
  ],
  designer: [
    'designer',
    'design',
    'ux designer',
    'ui designer',
    'ux/ui designer',
    'ui/ux designer',
    'product designer',
    'visual designer',
    'ux',
    'ui/ux',
    'ux/ui',
  ],
  researcher: ['ux researcher', 'user researcher', 'design researcher', 'researcher', 'ux research'],
  qa: [
    'qa',
    'qa engineer',
    'qa tester',
    'qa analyst',
    'tester',
    'test engineer',
    'test analyst',
    'quality assurance',
    'testing',
  ],
  project_manager: ['project manager', 'pm', 'delivery manager', 'project management'],
  business_analyst: ['business analyst', 'ba', 'analyst', 'business analysis'],
  architect: ['architect', 'solution architect', 'solutions architect', 'technical architect'],
  devops: ['devops', 'devops engineer', 'sre', 'site reliability engineer', 'platform engineer'],
  data_engineer: ['data engineer', 'data engineering'],
  data_scientist: ['data scientist', 'data science'],
  scrum_master: ['scrum master', 'agile coach'],
  product_owner: ['product owner', 'product manager'],
  consultant: ['consultant'],
  content: ['copywriter', 'content writer', 'content strategist'],
}

/**
 * Skills that name a discipline, and so the role doing it, when effort is written against them ("60 hours
 * of UX research"): the organisation's skill list claims those words before roles are read.
 */
export const DISCIPLINE_SKILLS: Record<string, string> = {
  'ux research': 'researcher',
  'user research': 'researcher',
  'solution architecture': 'architect',
  'requirements analysis': 'business_analyst',
  'test automation': 'qa',
  'data modelling': 'data_engineer',
  'data engineering': 'data_engineer',
}

/** Roles whose synonym already implies a level. */
export const SYNONYM_LEVEL: Record<string, RoleLevel> = { 'tech lead': 'lead', 'technical lead': 'lead' }

export const LEVEL_SYNONYMS: Record<RoleLevel, readonly string[]> = {
  junior: ['junior', 'jr', 'graduate', 'grad'],
  mid: ['mid-level', 'mid level', 'mid', 'intermediate'],
  senior: ['senior', 'sr', 'snr'],
  lead: ['lead'],
  principal: ['principal'],
}

/** Specialisms of a developer; on its own, one names the developer doing it ("backend 120-160-240h"). */
export const SPECIALISMS: Record<string, readonly string[]> = {
  frontend: ['frontend', 'front-end', 'front end'],
  backend: ['backend', 'back-end', 'back end'],
  fullstack: ['full-stack', 'fullstack', 'full stack'],
  mobile: ['mobile'],
}

/** Human-readable role names, used when describing what was understood. */
export const ROLE_LABELS: Record<string, string> = {
  developer: 'developer',
  designer: 'designer',
  researcher: 'UX researcher',
  qa: 'QA',
  project_manager: 'project manager',
  business_analyst: 'business analyst',
  architect: 'architect',
  devops: 'DevOps engineer',
  data_engineer: 'data engineer',
  data_scientist: 'data scientist',
  scrum_master: 'scrum master',
  product_owner: 'product owner',
  consultant: 'consultant',
  content: 'content writer',
}

export interface SkillEntry {
  name: string
  aliases: readonly string[]
  /** Match only with this exact capitalisation ("Go" the language, not "go" the verb). */
  caseSensitive?: boolean
}

export const BUILTIN_SKILLS: readonly SkillEntry[] = [
  { name: 'React Native', aliases: [] },
  { name: 'React', aliases: ['ReactJS', 'React.js'] },
  { name: 'Angular', aliases: ['AngularJS'] },
  { name: 'Vue', aliases: ['Vue.js', 'VueJS'] },
  { name: 'Next.js', aliases: ['NextJS'] },
  { name: 'Node.js', aliases: ['Node', 'NodeJS'] },
  { name: 'TypeScript', aliases: ['TS'], caseSensitive: true },
  { name: 'JavaScript', aliases: ['JS'], caseSensitive: true },
  { name: 'Java', aliases: [] },
  { name: 'Kotlin', aliases: [] },
  { name: 'Swift', aliases: [], caseSensitive: true },
  { name: 'iOS', aliases: [] },
  { name: 'Android', aliases: [] },
  { name: 'Flutter', aliases: [] },
  { name: 'Python', aliases: [] },
  { name: 'Go', aliases: ['Golang'], caseSensitive: true },
  { name: 'Rust', aliases: [], caseSensitive: true },
  { name: '.NET', aliases: ['dotnet', 'C#'] },
  { name: 'PHP', aliases: [] },
  { name: 'Ruby on Rails', aliases: ['Rails', 'Ruby'] },
  { name: 'Django', aliases: [] },
  { name: 'SQL', aliases: [] },
  { name: 'PostgreSQL', aliases: ['Postgres'] },
  { name: 'AWS', aliases: [] },
  { name: 'Azure', aliases: [] },
  { name: 'GCP', aliases: ['Google Cloud'] },
  { name: 'Kubernetes', aliases: ['k8s'] },
  { name: 'Terraform', aliases: [] },
  { name: 'Docker', aliases: [] },
  { name: 'Salesforce', aliases: [] },
  { name: 'SAP', aliases: [], caseSensitive: true },
  { name: 'Figma', aliases: [] },
  { name: 'Shopify', aliases: [] },
  { name: 'WordPress', aliases: [] },
  { name: 'Drupal', aliases: [] },
  { name: 'Power BI', aliases: ['PowerBI'] },
  { name: 'Tableau', aliases: [] },
  { name: 'Snowflake', aliases: [] },
  { name: 'Machine Learning', aliases: ['ML'], caseSensitive: false },
  { name: 'UX Research', aliases: ['user research'] },
  { name: 'Accessibility', aliases: ['a11y', 'WCAG'] },
]

/** Words that carry no information on their own; they never count as "not understood". */
export const FILLER_WORDS = new Set(
  `a an the this that these those it its it's them they their there here of to for with without and or but
  at on in into onto by from as about over under up down out off per via vs versus than then so also too
  just only please pls kindly can could would should will shall may might must do does did done be is are
  was were been being am have has had having i me my we us our you your he she his her who whom whose
  which what when where why how hi hello hey thanks thank cheers some any all each every both either
  let let's lets need needs want wants like would've get got make sure ok okay now new our next
  project projects role roles people person team work job jobs resource resources someone somebody anyone
  anybody help total use using based`.split(/\s+/),
)
