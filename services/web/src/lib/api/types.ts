// The gateway's JSON as the pages use it (the OpenAPI document at /openapi.json is the full contract).
// Money is integer minor units as strings; hours and percentages decimal strings; dates YYYY-MM-DD.

export type Role = 'owner' | 'admin' | 'manager' | 'member' | 'viewer'
export type Health = 'green' | 'amber' | 'red'
export type AgentType = 'project_management' | 'resourcing' | 'quotes' | 'orchestrator'
export type SessionStatus = 'queued' | 'processing' | 'completed' | 'failed' | 'cancelled'
export type ProposalStatus = 'pending' | 'applied' | 'rejected' | 'reverted' | 'failed'

export interface Organisation {
  id: string
  name: string
  slug: string
  role: Role
  currency: string
  locale: string
  timezone: string
}

export interface Me {
  user: { id: string; email: string | null }
  organisations: Organisation[]
}

export interface Ref {
  id: string
  name: string
}

export interface HealthReason {
  code: string
  severity: 'amber' | 'red'
  message: string
  due_on?: string
}

export interface Burn {
  hours_logged: string
  billable_hours: string
  cost_minor: string
  billable_value_minor: string
  budget_minor: string | null
  burn_pct: string | null
  estimate_hours: string
  percent_complete: string | null
}

export interface Utilisation {
  utilisation_pct: string | null
  target_pct: string | null
  capacity_hours: string
  logged_hours: string
  billable_hours: string
}

export interface Revenue {
  billable_value_minor: string
  cost_minor: string
  margin_minor: string
  margin_pct: string | null
}

export interface Dashboard {
  as_of: string
  currency: string
  period: { starts_on: string; ends_on: string }
  utilisation: Utilisation
  revenue: Revenue
  last_month: { period: { starts_on: string; ends_on: string }; utilisation: Utilisation; revenue: Revenue }
  projects_at_risk: {
    id: string
    code: string
    name: string
    status: string
    health: Health
    client: Ref
    burn: Burn
    reasons: HealthReason[]
  }[]
  open_resource_requests: {
    count: number
    hours_per_week: string
    items: {
      id: string
      project: { id: string; code: string; name: string }
      role_name: string
      skill_name: string | null
      min_proficiency: number | null
      hours_per_week: string
      starts_on: string
      ends_on: string
    }[]
  }
  pending_proposals: {
    count: number
    items: { id: string; title: string; agent_type: string; session_id: string; created_at: string }[]
  }
  utilisation_by_week: {
    week_start: string
    past: boolean
    capacity_hours: string
    billable_hours: string
    booked_hours: string
    utilisation_pct: string | null
    booked_pct: string | null
  }[]
}

export interface Project {
  id: string
  code: string
  name: string
  description: string | null
  status: 'tentative' | 'active' | 'on_hold' | 'completed' | 'cancelled'
  health: Health
  billing_model: 'time_and_materials' | 'fixed_fee' | 'retainer'
  budget_minor: string | null
  currency: string
  starts_on: string
  ends_on: string
  win_probability_pct: string | null
  client: Ref
  manager: { id: string; full_name: string } | null
  version: number
}

export interface ProjectListItem extends Project {
  burn_pct: string | null
  percent_complete: string | null
  health_reasons: HealthReason[]
}

export interface Task {
  id: string
  phase_id: string | null
  name: string
  role: Ref | null
  estimate_hours: string
  starts_on: string | null
  ends_on: string | null
  status: 'not_started' | 'in_progress' | 'blocked' | 'done'
  percent_complete: string
  assignee: { id: string; full_name: string } | null
}

export interface ProjectDetail extends Project {
  phases: { id: string; name: string; sequence: number; starts_on: string | null; ends_on: string | null }[]
  tasks: Task[]
  dependencies: {
    id: string
    predecessor_task_id: string
    successor_task_id: string
    dependency_type: 'finish_to_start' | 'start_to_start' | 'finish_to_finish' | 'start_to_finish'
    lag_days: number
  }[]
  milestones: { id: string; name: string; due_on: string; completed_on: string | null; late: boolean }[]
  burn: Burn
  health_reasons: HealthReason[]
  critical_path: { task_ids: string[]; finishes_on: string | null }
  team: {
    person: { id: string; full_name: string }
    role: Ref
    booking_kinds: ('soft' | 'hard')[]
    booked_hours_per_week: string
    booked_from: string | null
    booked_until: string | null
    hours_logged: string
  }[]
  baseline: {
    id: string
    name: string
    created_at: string
    starts_on: string | null
    ends_on: string | null
    budget_minor: string | null
    tasks: { task_id: string; starts_on: string; ends_on: string }[]
    milestones: { milestone_id: string; due_on: string }[]
  } | null
}

export interface Skill {
  skill_id: string
  name: string
  proficiency: number
}

export interface Resource {
  id: string
  full_name: string
  email: string | null
  role: Ref
  level: number
  location: { id: string; name: string; timezone: string } | null
  cost_rate_minor: string
  bill_rate_minor: string
  weekly_capacity_hours: string
  utilisation_target_pct: string
  active: boolean
  skills: Skill[]
}

export interface WeekLoad {
  starts_on: string
  capacity_hours: string
  time_off_hours: string
  soft_hours: string
  hard_hours: string
  logged_hours: string
  billable_hours: string
  booked_pct: string | null
  over_allocated: boolean
}

export interface ResourceDetail extends Resource {
  allocations: {
    id: string
    project: { id: string; name: string; code: string }
    kind: 'soft' | 'hard'
    starts_on: string
    ends_on: string
    hours_per_week: string
  }[]
  time_off: { id: string; starts_on: string; ends_on: string; kind: string; hours_per_day: string }[]
  utilisation: WeekLoad[]
}

export interface CapacityHeatmap {
  weeks: { starts_on: string; ends_on: string }[]
  people: { id: string; full_name: string; role: Ref; utilisation_target_pct: string; weeks: WeekLoad[] }[]
}

export type QuoteStatus =
  | 'draft'
  | 'pending_approval'
  | 'approved'
  | 'sent'
  | 'accepted'
  | 'rejected'
  | 'expired'

export interface Quote {
  id: string
  title: string
  status: QuoteStatus
  client: Ref
  project_id: string | null
  current_version: number
  valid_until: string | null
  approved_by: string | null
  approved_at: string | null
  currency: string | null
  pricing_model: string | null
  price_minor: string | null
  cost_minor: string | null
  margin_pct: string | null
  created_at: string
}

export interface QuoteLine {
  id: string
  role: Ref
  description: string | null
  optimistic_hours: string
  likely_hours: string
  pessimistic_hours: string
  cost_rate_minor: string
  bill_rate_minor: string
  expected_hours: string
  line_cost_minor: string
  line_list_minor: string
}

export interface QuoteVersion {
  id: string
  version_number: number
  pricing_model: string
  currency: string
  contingency_pct: string
  target_margin_pct: string
  discount_pct: string
  cost_minor: string
  price_minor: string
  margin_pct: string | null
  p50_price_minor: string | null
  p80_price_minor: string | null
  p90_price_minor: string
  expected_hours: string
  notes: string | null
  created_at: string
  lines: QuoteLine[]
}

export interface QuoteDetail extends Quote {
  versions: QuoteVersion[]
}

export interface Session {
  session_id: string
  status: SessionStatus
  result: unknown
  error: string | null
  error_code: string | null
  agents_involved: string[]
  processing_time_ms: number | null
  type: AgentType | null
  request: string
  context: Record<string, unknown>
  user_id: string | null
  parent_session_id: string | null
  auto_apply: boolean
  queue_position: number
  created_at: string | null
  started_at: string | null
  completed_at: string | null
  usage: { input_tokens: number; output_tokens: number; total_tokens: number }
  last_event_seq: number
}

export interface SessionEvent {
  session_id: string
  seq: number
  time: string
  agent: string
  type:
    | 'status_changed'
    | 'reasoning'
    | 'tool_call_started'
    | 'tool_call_finished'
    | 'proposal_created'
    | 'final_result'
    | 'error'
    | 'child_session'
  data: Record<string, unknown>
}

export interface Proposal {
  id: string
  session_id: string
  agent_type: AgentType
  title: string
  summary: string | null
  status: ProposalStatus
  change_count: number
  error: { code: string; message: string } | null
  version: number
  applied_at: string | null
  rejected_at: string | null
  reverted_at: string | null
  created_at: string
}

export interface ProposalDiff {
  proposal_id: string
  status: ProposalStatus
  before_from: 'current_data' | 'revert_changeset'
  operations: {
    op: 'insert' | 'update' | 'delete'
    table: string
    id: string
    label: string
    changes: {
      column: string
      before: unknown
      after: unknown
      before_label: string | null
      after_label: string | null
    }[]
  }[]
}

export interface QueuePosition {
  session_id: string
  status: SessionStatus
  type: AgentType | null
  position: number
  queue_depth: number
}
