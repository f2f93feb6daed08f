// Rows of the demo data set, typed from the generated database types (packages/db/src/gen), so a column
// added, renamed or retyped by a migration is a compile error here, not a failed load. A row holds every
// column the database does not maintain itself, with the values the demo writes: dates 'YYYY-MM-DD',
// timestamps ISO 8601 UTC, money integer minor units, hours and percentages numbers with at most two
// decimals.

import type { DB } from '@psa/db'
import type { InsertType } from 'kysely'

/** A value as the demo writes it: numbers for numeric and bigint columns, ISO strings for timestamps. */
type DemoValue<V> = [V] extends [bigint | number | string]
  ? number extends V
    ? number
    : V
  : [V] extends [Date | string]
    ? string
    : V

type ColumnValue<C> =
  InsertType<C> extends infer I
    ? DemoValue<Exclude<I, null | undefined>> | (null extends I ? null : never)
    : never

/** Columns the database keeps itself (triggers and defaults); the demo never writes them. */
type Maintained = 'updated_at' | 'version' | 'timestamp'

interface RowShape<T extends keyof DB> {
  /** The row's `created_at` is part of the story (history), so the demo writes it. */
  dated?: true
  /** Nullable columns the demo always fills. */
  filled?: keyof DB[T]
}

type Filled<T extends keyof DB, S extends RowShape<T>> = S extends { filled: infer F } ? F : never
type Written<T extends keyof DB, S extends RowShape<T>> = Exclude<
  keyof DB[T],
  Maintained | (S extends { dated: true } ? never : 'created_at')
>

/** A row of `T` as the demo generates it: every column but the maintained ones (see RowShape). */
type DemoRow<T extends keyof DB, S extends RowShape<T> = Record<never, never>> = {
  [K in Written<T, S>]-?: K extends Filled<T, S> ? NonNullable<ColumnValue<DB[T][K]>> : ColumnValue<DB[T][K]>
}

/** A Supabase Auth user (auth.users is not in the generated public schema): the loader fills the rest. */
export interface AuthUserRow {
  id: string
  email: string
  full_name: string
  created_at: string
}

export type OrganisationRow = DemoRow<'organisations'>
export type MembershipRow = DemoRow<'memberships'>
export type LocationRow = DemoRow<'locations'>
export type HolidayRow = DemoRow<'holidays'>
export type RoleRow = DemoRow<'roles'>
export type SkillRow = DemoRow<'skills', { filled: 'category' }>
export type PersonRow = DemoRow<'people', { filled: 'email' | 'location_id' }>
export type PersonSkillRow = DemoRow<'person_skills'>
export type TimeOffRow = DemoRow<'time_off'>
export type ClientRow = DemoRow<'clients', { filled: 'industry' }>
export type RateCardRow = DemoRow<'rate_cards'>
export type RateCardLineRow = DemoRow<'rate_card_lines'>
export type ProjectRow = DemoRow<'projects', { filled: 'description' | 'budget_minor' }>
export type PhaseRow = DemoRow<'phases', { filled: 'starts_on' | 'ends_on' }>
export type TaskRow = DemoRow<'tasks', { filled: 'starts_on' | 'ends_on' }>
export type TaskDependencyRow = DemoRow<'task_dependencies'>
export type MilestoneRow = DemoRow<'milestones'>
export type BaselineRow = DemoRow<'baselines', { dated: true; filled: 'created_by' }>
export type ResourceRequestRow = DemoRow<'resource_requests'>
export type AllocationRow = DemoRow<'allocations'>
export type TimeEntryRow = DemoRow<'time_entries'>
export type QuoteRow = DemoRow<'quotes', { dated: true; filled: 'valid_until' }>
export type QuoteVersionRow = DemoRow<
  'quote_versions',
  { dated: true; filled: 'margin_pct' | 'p50_price_minor' | 'p80_price_minor' | 'created_by' }
>
export type QuoteLineRow = DemoRow<'quote_lines', { filled: 'description' }>
export type AgentSessionRow = DemoRow<'agent_sessions', { dated: true; filled: 'trace_id' }>
export type AgentLogRow = DemoRow<'agent_logs', { dated: true; filled: 'agent_name' | 'message' }>
export type ProposalRow = DemoRow<'proposals', { dated: true; filled: 'summary' }>
export type AgentDeadLetterRow = DemoRow<'agent_dead_letters', { dated: true }>

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

/** Every table of the data set, in the order that satisfies the foreign keys (that of DemoTables). */
export const DEMO_TABLE_NAMES = Object.keys(emptyTables()) as readonly DemoTableName[]
