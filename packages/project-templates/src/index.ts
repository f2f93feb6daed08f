/**
 * Project plan templates as data (`templates/*.json`): phases with a share of the project's length, tasks
 * with preferred roles, full-time equivalents and the part of the phase they run in, dependencies of every
 * type with lags, and a milestone per phase. @psa/agent-project sizes them to a requested length and budget.
 */
import { z } from 'zod'
import compact from './templates/compact.json' with { type: 'json' }
import data from './templates/data.json' with { type: 'json' }
import discovery from './templates/discovery.json' with { type: 'json' }
import erpRollout from './templates/erp_rollout.json' with { type: 'json' }
import generic from './templates/generic.json' with { type: 'json' }
import mobileApp from './templates/mobile_app.json' with { type: 'json' }
import software from './templates/software.json' with { type: 'json' }
import website from './templates/website.json' with { type: 'json' }

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

const dependencyType = z.enum(['finish_to_start', 'start_to_start', 'finish_to_finish', 'start_to_finish'])
const share = z.number().min(0).max(1)
const taskSchema = z.strictObject({
  key: z.string().min(1),
  name: z.string().min(1),
  roles: z.array(z.string().min(1)).min(1),
  fte: z.number().positive(),
  span: z.tuple([share, share]).optional(),
  after: z
    .array(
      z.union([
        z.string(),
        z.strictObject({ task: z.string(), type: dependencyType, lagDays: z.int().optional() }),
      ]),
    )
    .optional(),
})
const templateSchema = z.array(
  z.strictObject({
    key: z.string().min(1),
    name: z.string().min(1),
    weight: z.number().positive(),
    milestone: z.string().min(1),
    tasks: z.array(taskSchema).min(1),
  }),
)

/** A template file as the types above; a malformed file fails at load, naming the template and the field. */
function template(name: string, json: unknown): readonly PhaseTemplate[] {
  const parsed = templateSchema.safeParse(json)
  if (!parsed.success) throw new Error(`project template ${name}: ${z.prettifyError(parsed.error)}`)
  return parsed.data
}

/** The phases used for plans under five weeks. */
export const COMPACT = template('compact', compact)

/** Every template, by name. */
export const TEMPLATES: Record<TemplateName, readonly PhaseTemplate[]> = {
  website: template('website', website),
  software: template('software', software),
  data: template('data', data),
  mobile_app: template('mobile_app', mobileApp),
  erp_rollout: template('erp_rollout', erpRollout),
  discovery: template('discovery', discovery),
  generic: template('generic', generic),
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
