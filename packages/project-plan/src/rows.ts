import type { AllocationKind, DependencyType } from '@psa/db'

/**
 * The rows of one project that a plan is made of, as the tables hold them (numerics as Postgres's text or as
 * numbers, dates as ISO dates). `loadPlanRows` reads them; a caller with rows of its own (an agent's draft
 * plan that is not stored yet) passes them directly.
 */
export interface PlanRows {
  project: { id: string; starts_on: string }
  tasks: readonly PlanTaskRow[]
  dependencies: readonly PlanDependencyRow[]
  /** The people whose capacity the roles have (see `PlanOptions.capacity`). */
  people?: readonly PlanPersonRow[]
  /** Bookings of those people, on this project and (for `capacity: 'organisation'`) on others. */
  allocations?: readonly PlanAllocationRow[]
  timeOff?: readonly PlanTimeOffRow[]
  /** Holidays of the people's locations. */
  holidays?: readonly PlanHolidayRow[]
}

type Numeric = string | number

export interface PlanTaskRow {
  id: string
  role_id: string | null
  estimate_hours: Numeric
  starts_on: string | null
  ends_on: string | null
}

export interface PlanDependencyRow {
  predecessor_task_id: string
  successor_task_id: string
  dependency_type: DependencyType
  /** Calendar days, as the plans and the demo data store them (negative: a lead). */
  lag_days: number
}

export interface PlanPersonRow {
  id: string
  role_id: string
  weekly_capacity_hours: Numeric
  location_id: string | null
}

export interface PlanAllocationRow {
  person_id: string
  project_id: string
  kind: AllocationKind
  starts_on: string
  ends_on: string
  hours_per_week: Numeric
}

export interface PlanTimeOffRow {
  person_id: string
  starts_on: string
  ends_on: string
  hours_per_day: Numeric
}

export interface PlanHolidayRow {
  location_id: string
  holiday_date: string
}

/**
 * A project's plan as stored, with what baselines, comparisons and replans need besides the schedule:
 * phases, milestones, task status and progress, and the versions for compare-and-set writes.
 */
export interface ProjectRows {
  project: {
    id: string
    code: string
    name: string
    status: string
    starts_on: string
    ends_on: string
    budget_minor: string | null
    currency: string
    version: number
  }
  phases: { id: string; name: string; starts_on: string | null; ends_on: string | null }[]
  tasks: (PlanTaskRow & {
    name: string
    phase_id: string | null
    estimate_hours: string
    status: string
    percent_complete: string
    assignee_person_id: string | null
    version: number
  })[]
  dependencies: PlanDependencyRow[]
  milestones: { id: string; name: string; due_on: string; completed_on: string | null; version: number }[]
}
