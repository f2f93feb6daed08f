import { z } from 'zod'

/** A piece of the request text: [start, end) in UTF-16 code units, plus the text itself. */
export const spanSchema = z.object({
  start: z.int().nonnegative(),
  end: z.int().nonnegative(),
  text: z.string(),
})
export type Span = z.infer<typeof spanSchema>

export const isoDateSchema = z.iso.date()

export const agentTypeSchema = z.enum(['project_management', 'resourcing', 'quotes', 'orchestrator'])
export type AgentType = z.infer<typeof agentTypeSchema>

export const intentSchema = z.enum([
  'plan',
  'status_check',
  'schedule',
  'baseline',
  'compare_baseline',
  'replan',
  'find_candidates',
  'staff',
  'open_requests',
  'over_allocation',
  'utilisation',
  'bench',
  'what_if',
  'quote',
  'revise_quote',
  'convert_quote',
  'request_approval',
  'setup_staff_quote',
])
export type Intent = z.infer<typeof intentSchema>

/** Which specialist handles each intent. */
export const INTENT_AGENT: Record<Intent, AgentType> = {
  plan: 'project_management',
  status_check: 'project_management',
  schedule: 'project_management',
  baseline: 'project_management',
  compare_baseline: 'project_management',
  replan: 'project_management',
  find_candidates: 'resourcing',
  staff: 'resourcing',
  open_requests: 'resourcing',
  over_allocation: 'resourcing',
  utilisation: 'resourcing',
  bench: 'resourcing',
  what_if: 'resourcing',
  quote: 'quotes',
  revise_quote: 'quotes',
  convert_quote: 'quotes',
  request_approval: 'quotes',
  setup_staff_quote: 'orchestrator',
}

export const intentMentionSchema = z.object({
  intent: intentSchema,
  agentType: agentTypeSchema,
  /** The words that signalled the intent ("how is ... doing" gives two spans). */
  spans: z.array(spanSchema).min(1),
})
export type IntentMention = z.infer<typeof intentMentionSchema>

export const durationUnitSchema = z.enum(['day', 'week', 'month', 'year'])
export const durationSchema = z.object({
  value: z.number().positive(),
  unit: durationUnitSchema,
  /** Working days when the request said "working/business days", else calendar. */
  calendar: z.enum(['calendar', 'working']),
  /** The same length in weeks (months are 52/12 weeks), rounded to 2 decimals. */
  weeks: z.number().positive(),
  span: spanSchema,
})
export type Duration = z.infer<typeof durationSchema>

export const dateRoleSchema = z.enum(['start', 'end', 'period', 'unspecified'])
export const datePrecisionSchema = z.enum(['day', 'week', 'month', 'quarter', 'year'])
export const dateMentionSchema = z.object({
  role: dateRoleSchema,
  /** First and last day the expression covers (equal for a single day); null if it could not be resolved. */
  from: isoDateSchema.nullable(),
  to: isoDateSchema.nullable(),
  precision: datePrecisionSchema,
  /** Relative to today ("next Monday", "next month"). */
  relative: z.boolean(),
  /** "early/mid/late February": a best guess, not a date the user named. */
  approximate: z.boolean(),
  span: spanSchema,
})
export type DateMention = z.infer<typeof dateMentionSchema>

export const moneySchema = z.object({
  /** Integer minor units (cents); never floating point. */
  amountMinor: z.int().nonnegative(),
  /** ISO 4217 code; null when the request gave none and the context has no default currency. */
  currency: z.string().length(3).nullable(),
  role: z.enum(['budget', 'rate', 'price', 'unspecified']),
  per: z.enum(['hour', 'day']).nullable(),
  span: spanSchema,
})
export type Money = z.infer<typeof moneySchema>

export const percentageRoleSchema = z.enum([
  'margin',
  'discount',
  'win_probability',
  'contingency',
  'utilisation',
  'markup',
  'margin_floor',
  'unspecified',
])
export type PercentageRole = z.infer<typeof percentageRoleSchema>
export const percentageSchema = z.object({
  /** 30 for "30%". */
  value: z.number().min(0),
  role: percentageRoleSchema,
  span: spanSchema,
})
export type Percentage = z.infer<typeof percentageSchema>

export const roleLevelSchema = z.enum(['junior', 'mid', 'senior', 'lead', 'principal'])
export type RoleLevel = z.infer<typeof roleLevelSchema>

export const roleMentionSchema = z.object({
  /** Canonical role id ("developer", "designer", "qa", ...); null for a bare "roles"/"people" with a skill. */
  role: z.string().nullable(),
  level: roleLevelSchema.nullable(),
  /** "frontend", "backend", "mobile"... */
  specialism: z.string().nullable(),
  /** A skill named with the role ("React developer", "React roles"). */
  skill: z.string().nullable(),
  /** How many people ("two designers"); null if not said. */
  count: z.int().positive().nullable(),
  /** The organisation's own role name (from context.roles) this mention best matches. */
  knownRole: z.string().nullable(),
  span: spanSchema,
})
export type RoleMention = z.infer<typeof roleMentionSchema>

export const skillMentionSchema = z.object({
  skill: z.string(),
  /** "React and TypeScript at 4+": the least proficiency (1-5) asked for; null when not said. */
  minProficiency: z.int().min(1).max(5).nullable(),
  span: spanSchema,
})
export type SkillMention = z.infer<typeof skillMentionSchema>

export const hoursLineSchema = z.object({
  hours: z.number().positive(),
  /** "40 hours a week" is a rate, not a total. */
  per: z.enum(['day', 'week', 'month']).nullable(),
  /** "120-160-240h": a three-point estimate (hours is then the likely value); null for a single figure. */
  range: z
    .object({
      optimistic: z.number().min(0),
      likely: z.number().positive(),
      pessimistic: z.number().positive(),
    })
    .nullable(),
  role: roleMentionSchema.nullable(),
  span: spanSchema,
})
export type HoursLine = z.infer<typeof hoursLineSchema>

export const entityKindSchema = z.enum(['client', 'project', 'person'])
export type EntityKind = z.infer<typeof entityKindSchema>
export const entityMentionSchema = z.object({
  kind: entityKindSchema,
  id: z.string().nullable(),
  name: z.string(),
  /** exact: the full name or an alias; partial: some of its words; fuzzy: a near spelling; inferred: via a project. */
  match: z.enum(['exact', 'partial', 'fuzzy', 'inferred']),
  /** Other known entities the same words could mean (the mention is ambiguous when non-empty). */
  alternatives: z.array(z.object({ id: z.string().nullable(), name: z.string() })),
  span: spanSchema,
})
export type EntityMention = z.infer<typeof entityMentionSchema>

export const quoteReferenceSchema = z.object({
  /** "Q-2027-003"; null when only a version was named ("v2 of the Acme quote"). */
  reference: z.string().nullable(),
  id: z.string().nullable(),
  version: z.int().positive().nullable(),
  span: spanSchema,
})
export type QuoteReference = z.infer<typeof quoteReferenceSchema>

export const flagNameSchema = z.enum([
  'clientRateCard',
  'standardRateCard',
  'autoApply',
  'respectUtilisationTarget',
  'softBooking',
  'hardBooking',
  'timeAndMaterials',
  'fixedFee',
  'retainer',
  'costObjective',
  'fitObjective',
  'balanceObjective',
])
export type FlagName = z.infer<typeof flagNameSchema>
export const flagsSchema = z.object({
  clientRateCard: z.boolean(),
  standardRateCard: z.boolean(),
  autoApply: z.boolean(),
  respectUtilisationTarget: z.boolean(),
  booking: z.enum(['soft', 'hard']).nullable(),
  billingModel: z.enum(['time_and_materials', 'fixed_fee', 'retainer']).nullable(),
  /** What a staffing request optimises: "at lowest cost", "best fit first", "balancing utilisation". */
  staffingObjective: z.enum(['cost', 'fit', 'balance']).nullable(),
})
export type Flags = z.infer<typeof flagsSchema>

export const missingSchema = z.object({
  field: z.string(),
  message: z.string(),
  /** False for information the agent can default (it should say which default it used). */
  required: z.boolean(),
})
export type Missing = z.infer<typeof missingSchema>

export const understandingSchema = z.object({
  text: z.string(),
  today: isoDateSchema.nullable(),
  intent: intentSchema.nullable(),
  agentType: agentTypeSchema.nullable(),
  intents: z.array(intentMentionSchema),
  subject: z.object({ text: z.string(), span: spanSchema }).nullable(),
  durations: z.array(durationSchema),
  dates: z.array(dateMentionSchema),
  money: z.array(moneySchema),
  percentages: z.array(percentageSchema),
  hours: z.array(hoursLineSchema),
  roles: z.array(roleMentionSchema),
  skills: z.array(skillMentionSchema),
  entities: z.array(entityMentionSchema),
  quoteReferences: z.array(quoteReferenceSchema),
  flags: flagsSchema,
  flagSpans: z.array(z.object({ flag: flagNameSchema, span: spanSchema })),
  /** Convenience views of the lists above. */
  summary: z.object({
    client: entityMentionSchema.nullable(),
    project: entityMentionSchema.nullable(),
    duration: durationSchema.nullable(),
    startDate: isoDateSchema.nullable(),
    endDate: isoDateSchema.nullable(),
    period: z.object({ from: isoDateSchema, to: isoDateSchema }).nullable(),
    budget: moneySchema.nullable(),
    margin: z.number().nullable(),
    /** "keep margin above 25%", "don't go below 20% margin": the least margin a price may have. */
    marginFloor: z.number().nullable(),
    markup: z.number().nullable(),
    discount: z.number().nullable(),
    winProbability: z.number().nullable(),
    contingency: z.number().nullable(),
    totalHours: z.number().nullable(),
  }),
  /** Pieces of the request the parser could not make sense of, verbatim. */
  unparsed: z.array(z.object({ text: z.string(), span: spanSchema })),
  missing: z.array(missingSchema),
  /** Assumptions and problems worth telling the user (unresolvable dates, ambiguous names, ...). */
  notes: z.array(z.string()),
})
export type Understanding = z.infer<typeof understandingSchema>
