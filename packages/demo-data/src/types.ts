// Rows of the demo data set, one interface per table, with the column names of the schema (DATA-MODEL.md).
// Dates are 'YYYY-MM-DD', timestamps ISO 8601 UTC, money integer minor units, hours and percentages numbers
// with at most two decimals.

import type { IsoDate } from './calendar.js'
import type { MembershipRole } from './constants.js'

export type ProjectStatus = 'tentative' | 'active' | 'on_hold' | 'completed' | 'cancelled'
export type BillingModel = 'time_and_materials' | 'fixed_fee' | 'retainer'
export type ProjectHealth = 'green' | 'amber' | 'red'
export type TaskStatus = 'not_started' | 'in_progress' | 'blocked' | 'done'
export type DependencyType = 'finish_to_start' | 'start_to_start' | 'finish_to_finish' | 'start_to_finish'
export type AllocationKind = 'soft' | 'hard'
export type ResourceRequestStatus = 'open' | 'partially_filled' | 'filled' | 'cancelled'
export type TimeOffKind = 'vacation' | 'sick' | 'parental' | 'training' | 'other'
export type QuoteStatus =
  | 'draft'
  | 'pending_approval'
  | 'approved'
  | 'sent'
  | 'accepted'
  | 'rejected'
  | 'expired'
export type AgentType = 'project_management' | 'resourcing' | 'quotes' | 'orchestrator'
export type SessionStatus = 'queued' | 'processing' | 'completed' | 'failed' | 'cancelled'
export type ProposalStatus = 'pending' | 'applied' | 'rejected' | 'reverted' | 'failed'

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

export interface AuthUserRow {
  id: string
  email: string
  full_name: string
  created_at: string
}

export interface OrganisationRow {
  id: string
  name: string
  slug: string
  currency: string
  timezone: string
}

export interface MembershipRow {
  id: string
  organisation_id: string
  user_id: string
  role: MembershipRole
}

export interface LocationRow {
  id: string
  organisation_id: string
  name: string
  country_code: string
  timezone: string
}

export interface HolidayRow {
  id: string
  organisation_id: string
  location_id: string
  holiday_date: IsoDate
  name: string
}

export interface RoleRow {
  id: string
  organisation_id: string
  name: string
  cost_rate_minor: number
  bill_rate_minor: number
  utilisation_target_pct: number
}

export interface SkillRow {
  id: string
  organisation_id: string
  name: string
  category: string
}

export interface PersonRow {
  id: string
  organisation_id: string
  user_id: string | null
  full_name: string
  email: string
  role_id: string
  level: number
  location_id: string
  cost_rate_minor: number
  bill_rate_minor: number
  weekly_capacity_hours: number
  utilisation_target_pct: number
  employment_start: IsoDate
  employment_end: IsoDate | null
  active: boolean
}

export interface PersonSkillRow {
  id: string
  organisation_id: string
  person_id: string
  skill_id: string
  proficiency: number
}

export interface TimeOffRow {
  id: string
  organisation_id: string
  person_id: string
  starts_on: IsoDate
  ends_on: IsoDate
  kind: TimeOffKind
  hours_per_day: number
}

export interface ClientRow {
  id: string
  organisation_id: string
  name: string
  industry: string
  default_rate_card_id: string | null
}

export interface RateCardRow {
  id: string
  organisation_id: string
  name: string
  client_id: string | null
  currency: string
  is_default: boolean
}

export interface RateCardLineRow {
  id: string
  organisation_id: string
  rate_card_id: string
  role_id: string
  bill_rate_minor: number
  effective_from: IsoDate
  effective_to: IsoDate | null
}

export interface ProjectRow {
  id: string
  organisation_id: string
  client_id: string
  name: string
  code: string
  description: string
  status: ProjectStatus
  win_probability_pct: number | null
  billing_model: BillingModel
  budget_minor: number
  currency: string
  starts_on: IsoDate
  ends_on: IsoDate
  health: ProjectHealth
  manager_person_id: string | null
  rate_card_id: string | null
}

export interface PhaseRow {
  id: string
  organisation_id: string
  project_id: string
  name: string
  sequence: number
  starts_on: IsoDate
  ends_on: IsoDate
}

export interface TaskRow {
  id: string
  organisation_id: string
  project_id: string
  phase_id: string | null
  name: string
  role_id: string | null
  estimate_hours: number
  starts_on: IsoDate
  ends_on: IsoDate
  status: TaskStatus
  percent_complete: number
  assignee_person_id: string | null
}

export interface TaskDependencyRow {
  id: string
  organisation_id: string
  project_id: string
  predecessor_task_id: string
  successor_task_id: string
  dependency_type: DependencyType
  lag_days: number
}

export interface MilestoneRow {
  id: string
  organisation_id: string
  project_id: string
  name: string
  due_on: IsoDate
  completed_on: IsoDate | null
}

export interface BaselineRow {
  id: string
  organisation_id: string
  project_id: string
  name: string
  snapshot: Json
  created_by: string
  created_at: string
}

export interface ResourceRequestRow {
  id: string
  organisation_id: string
  project_id: string
  role_id: string
  skill_id: string | null
  min_proficiency: number | null
  hours_per_week: number
  starts_on: IsoDate
  ends_on: IsoDate
  status: ResourceRequestStatus
  notes: string | null
}

export interface AllocationRow {
  id: string
  organisation_id: string
  project_id: string
  person_id: string
  task_id: string | null
  resource_request_id: string | null
  kind: AllocationKind
  starts_on: IsoDate
  ends_on: IsoDate
  hours_per_week: number
}

export interface TimeEntryRow {
  id: string
  organisation_id: string
  person_id: string
  project_id: string
  task_id: string | null
  work_date: IsoDate
  hours: number
  billable: boolean
  notes: string | null
}

export interface QuoteRow {
  id: string
  organisation_id: string
  client_id: string
  project_id: string | null
  title: string
  status: QuoteStatus
  current_version: number
  valid_until: IsoDate
  approved_by: string | null
  approved_at: string | null
  created_at: string
}

export interface QuoteVersionRow {
  id: string
  organisation_id: string
  quote_id: string
  version_number: number
  pricing_model: BillingModel
  rate_card_id: string | null
  currency: string
  contingency_pct: number
  target_margin_pct: number
  discount_pct: number
  cost_minor: number
  price_minor: number
  margin_pct: number
  p50_price_minor: number
  p80_price_minor: number
  notes: string | null
  created_by: string
  created_at: string
}

export interface QuoteLineRow {
  id: string
  organisation_id: string
  quote_version_id: string
  role_id: string
  description: string
  optimistic_hours: number
  likely_hours: number
  pessimistic_hours: number
  cost_rate_minor: number
  bill_rate_minor: number
  sort_order: number
}

export interface AgentSessionRow {
  id: string
  organisation_id: string
  user_id: string
  agent_type: AgentType
  request: string
  context: Json
  status: SessionStatus
  result: Json
  error: Json
  agents_involved: string[]
  processing_time_ms: number | null
  parent_session_id: string | null
  auto_apply: boolean
  attempts: number
  input_tokens: number
  output_tokens: number
  trace_id: string
  queued_at: string
  started_at: string | null
  completed_at: string | null
  cancel_requested_at: string | null
  cancel_reason: string | null
  created_at: string
}

export interface AgentLogRow {
  id: string
  organisation_id: string
  session_id: string
  seq: number
  /** The delivery attempt that wrote the event. */
  attempt: number
  event_type: string
  agent_name: string
  message: string
  data: Json
  created_at: string
}

export interface ProposalRow {
  id: string
  organisation_id: string
  session_id: string
  agent_type: AgentType
  /** The worker's step key: one proposal per (session, key), so redeliveries cannot propose twice. */
  idempotency_key: string | null
  title: string
  summary: string
  status: ProposalStatus
  changeset: Json
  revert_changeset: Json
  applied_by: string | null
  applied_at: string | null
  rejected_by: string | null
  rejected_at: string | null
  reverted_by: string | null
  reverted_at: string | null
  error: Json
  created_at: string
}

export interface AgentDeadLetterRow {
  id: string
  organisation_id: string
  session_id: string
  agent_type: AgentType
  payload: Json
  reason: string
  deliveries: number
  created_at: string
}

/** Every table of the data set, in an order that satisfies the foreign keys. */
export interface DemoTables {
  auth_users: AuthUserRow[]
  organisations: OrganisationRow[]
  memberships: MembershipRow[]
  locations: LocationRow[]
  holidays: HolidayRow[]
  roles: RoleRow[]
  skills: SkillRow[]
  people: PersonRow[]
  person_skills: PersonSkillRow[]
  time_off: TimeOffRow[]
  clients: ClientRow[]
  rate_cards: RateCardRow[]
  rate_card_lines: RateCardLineRow[]
  projects: ProjectRow[]
  phases: PhaseRow[]
  tasks: TaskRow[]
  task_dependencies: TaskDependencyRow[]
  milestones: MilestoneRow[]
  baselines: BaselineRow[]
  resource_requests: ResourceRequestRow[]
  allocations: AllocationRow[]
  time_entries: TimeEntryRow[]
  quotes: QuoteRow[]
  quote_versions: QuoteVersionRow[]
  quote_lines: QuoteLineRow[]
  agent_sessions: AgentSessionRow[]
  agent_logs: AgentLogRow[]
  proposals: ProposalRow[]
  agent_dead_letters: AgentDeadLetterRow[]
}

export type DemoTableName = keyof DemoTables

export function emptyTables(): DemoTables {
  return {
    auth_users: [],
    organisations: [],
    memberships: [],
    locations: [],
    holidays: [],
    roles: [],
    skills: [],
    people: [],
    person_skills: [],
    time_off: [],
    clients: [],
    rate_cards: [],
    rate_card_lines: [],
    projects: [],
    phases: [],
    tasks: [],
    task_dependencies: [],
    milestones: [],
    baselines: [],
    resource_requests: [],
    allocations: [],
    time_entries: [],
    quotes: [],
    quote_versions: [],
    quote_lines: [],
    agent_sessions: [],
    agent_logs: [],
    proposals: [],
    agent_dead_letters: [],
  }
}
