import { AppError } from '@psa/errors'
import { z } from 'zod'
import { cliDatabaseUrl, type DatabaseLocation } from './database-url.js'
import { outputTail, runSupabase } from './supabase-cli.js'

const findingSchema = z.looseObject({
  name: z.string(),
  title: z.string().optional(),
  level: z.enum(['INFO', 'WARN', 'ERROR']),
  detail: z.string(),
  remediation: z.string().optional(),
})
const reportSchema = z.looseObject({ results: z.array(findingSchema) })

export type AdvisorFinding = z.infer<typeof findingSchema>

/** Runs Supabase's database advisors (security and performance lints) and returns every finding. */
export async function runAdvisors(location: DatabaseLocation): Promise<AdvisorFinding[]> {
  const result = await runSupabase([
    'db',
    'advisors',
    '--db-url',
    cliDatabaseUrl(location),
    '--type',
    'all',
    '--level',
    'info',
    '--output-format',
    'json',
  ])
  if (result.code !== 0) {
    throw new AppError('INTERNAL', `supabase db advisors failed:\n${outputTail(result)}`, {
      details: { step: 'advisors', exitCode: result.code },
    })
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(result.stdout)
  } catch (cause) {
    throw new AppError(
      'INTERNAL',
      `supabase db advisors printed something other than JSON:\n${outputTail(result)}`,
      {
        cause,
      },
    )
  }
  const report = reportSchema.safeParse(parsed)
  if (!report.success) {
    throw new AppError(
      'INTERNAL',
      `supabase db advisors output has an unexpected shape: ${report.error.message}`,
    )
  }
  return report.data.results
}

/** Findings at warning level or above: the ones that fail `npm run db:advisors`. */
export function advisorProblems(findings: readonly AdvisorFinding[]): AdvisorFinding[] {
  return findings.filter((f) => f.level !== 'INFO')
}

/** A human summary: counts per level and lint, and every warning or error in full. */
export function summariseFindings(findings: readonly AdvisorFinding[]): string {
  if (findings.length === 0) return 'No findings.'
  const counts = new Map<string, number>()
  for (const f of findings) counts.set(`${f.level} ${f.name}`, (counts.get(`${f.level} ${f.name}`) ?? 0) + 1)
  const lines = [...counts.entries()].sort().map(([key, n]) => `  ${key}: ${n}`)
  const problems = advisorProblems(findings).map((f) => `  ${f.level} ${f.name}: ${f.detail}`)
  return [
    'Findings by level and lint:',
    ...lines,
    ...(problems.length > 0 ? ['Warnings and errors:', ...problems] : []),
  ].join('\n')
}
