// The shape of an organisation's static facts. A builder turns a catalogue plus an anchor date into rows;
// Northwind and Bluebird are two catalogues. Dates are week offsets from the anchor's week (0 = this week).

import type { BillingModel, ProjectHealth, ProjectStatus, QuoteStatus, TimeOffKind } from '@psa/db'

export interface LocationSpec {
  key: string
  name: string
  countryCode: string
  region: string | undefined
  timezone: string
}

export interface RoleSpec {
  key: string
  name: string
  /** Cost and bill rate per hour in minor units, for someone at `typicalLevel`. */
  costRate: number
  billRate: number
  utilisationTarget: number
  typicalLevel: number
}

export interface SkillSpec {
  name: string
  category: string
}

export interface SkillProfile {
  /** Skills everyone in the role has, with the proficiency at the role's typical level. */
  core: Record<string, number>
  /** Skills about half of the people in the role have. */
  sometimes: Record<string, number>
}

export interface PersonSpec {
  name: string
  role: string
  level: number
  location: string
  capacity: 40 | 32
  /** Years employed before the anchor (fractions allowed). */
  tenureYears: number
  /** Left the firm this many days before the anchor. */
  leftDaysAgo?: number
  /** E-mail of the demo user this person is. */
  user?: string
  /** Exact proficiencies that override the role profile (and its caps). */
  skills?: Record<string, number>
}

/** A time-off block placed by hand (random vacations etc. come on top). */
export interface TimeOffSpec {
  person: string
  kind: TimeOffKind
  /** Offsets in days from the anchor (Monday), both included. */
  fromDay: number
  toDay: number
  hoursPerDay?: number
}

export interface ClientSpec {
  key: string
  name: string
  industry: string
}

export interface ClientRateCardSpec {
  client: string
  name: string
  /** Negotiated factor on the standard rates, for the roles listed (or all). */
  factor: number
  roles?: string[]
}

export interface PhaseSpec {
  name: string
  weeks: number
  kind: string
  milestone?: string
}

export interface SlotSpec {
  role: string
  hours: number
  /** Weeks after the project's start (default 0). */
  from?: number
  /** Length in weeks (default: to the project's end). */
  weeks?: number
  skill?: string
  minProficiency?: number
  /** Staff with exactly this person, before automatic staffing. */
  person?: string
  /** The planted over-allocation: booked on top of a full week, without a capacity check. */
  overbook?: boolean
  /** For tentative projects: pencil someone in (soft). Other tentative slots stay open requests. */
  soft?: boolean
  note?: string
}

export interface ProjectSpec {
  code: string
  name: string
  client: string
  description: string
  status: ProjectStatus
  billing: BillingModel
  /** Start week (offset from the anchor's week). */
  start: number
  phases: PhaseSpec[]
  winProbability?: number
  /** on_hold: paused from this week; cancelled: stopped from this week. */
  haltedWeek?: number
  health: ProjectHealth
  manager: string
  clientRateCard: boolean
  /** A baseline taken at the start; phases after the first have slipped by this many days since. */
  baseline?: { slipDays: number }
  /** The planted late milestone: due before the anchor and not completed (its phase's last tasks overdue). */
  lateMilestone?: string
  /** A task that is blocked, with the reason in the project's notes. */
  blockedTask?: string
  /** The planted budget overrun: the fixed fee was set so that cost to date is this share of it. */
  burnTarget?: number
  team: SlotSpec[]
}

export interface TaskTemplate {
  name: string
  role: string
  /** Window inside the phase as fractions of its length. */
  from: number
  to: number
  /** Share of a full-time week this task needs while it runs. */
  load: number
}

/** [role, description, optimistic, likely, pessimistic hours] */
export type QuoteLineSpec = [
  role: string,
  description: string,
  optimistic: number,
  likely: number,
  pessimistic: number,
]

export interface QuoteVersionSpec {
  contingencyPct: number
  targetMarginPct: number
  discountPct: number
  notes: string
  /** Days after the quote was created. */
  day: number
  /** Lines; when absent, derived from the team of the quote's project (scaled by `hoursFactor`). */
  lines?: QuoteLineSpec[]
  hoursFactor?: number
}

export interface QuoteSpec {
  key: string
  title: string
  client: string
  status: QuoteStatus
  /** The project this quote is about (its team gives the lines); linked only when accepted. */
  project?: string
  /** Created this many days before the anchor. */
  createdDaysAgo: number
  pricingModel: BillingModel
  clientRateCard: boolean
  validForDays: number
  /** Who created and (for approved and later statuses) who approved it. */
  createdBy: string
  approvedBy?: string
  versions: QuoteVersionSpec[]
}

export interface OrganisationCatalogue {
  locations: LocationSpec[]
  roles: RoleSpec[]
  skills: SkillSpec[]
  skillProfiles: Record<string, SkillProfile>
  /** Highest proficiency anybody without an explicit override may have in a skill. */
  skillCaps: Record<string, number>
  people: PersonSpec[]
  timeOff: TimeOffSpec[]
  /** Random vacations, sick and training days on top of `timeOff`. */
  randomTimeOff: boolean
  /** People who must not get random time off (their planted problems must stay visible). */
  noRandomTimeOff: string[]
  clients: ClientSpec[]
  standardRateCardName: string
  /** Standard rates went up by this factor at the start of the anchor's year (the rate change in the past). */
  standardRateIncrease: number
  clientRateCards: ClientRateCardSpec[]
  projects: ProjectSpec[]
  phaseTasks: Record<string, TaskTemplate[]>
  /** When a project has nobody in a task's role, who does it instead (first match in the team). */
  roleFallbacks: Record<string, string[]>
  quotes: QuoteSpec[]
}
