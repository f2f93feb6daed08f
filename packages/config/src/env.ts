import { z } from 'zod'

/** Thrown when configuration is missing or malformed; names every offending variable at once. */
export class ConfigError extends Error {
  readonly issues: readonly { variable: string; message: string }[]

  constructor(service: string, issues: readonly { variable: string; message: string }[]) {
    const lines = issues.map((i) => `  - ${i.variable}: ${i.message}`)
    super(`${service}: invalid configuration\n${lines.join('\n')}`)
    this.name = 'ConfigError'
    this.issues = issues
  }
}

/** Parses `source` (default `process.env`) with `schema`; throws a ConfigError naming each bad variable. */
export function parseEnv<S extends z.ZodType>(
  service: string,
  schema: S,
  source: Record<string, string | undefined> = process.env,
): z.infer<S> {
  // Empty strings mean "not set": `FOO= node main.js` should fall back to defaults, not fail parsing.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''))
  const result = schema.safeParse(cleaned)
  if (result.success) return result.data
  const issues = result.error.issues.map((issue) => {
    const variable = issue.path.map(String).join('.') || '(environment)'
    // zod 4 leaves `input` out of issues, so "missing" is decided by looking at the source itself.
    const missing =
      issue.code === 'invalid_type' && issue.path.length > 0 && !(String(issue.path[0]) in cleaned)
    return { variable, message: missing ? 'is required but not set' : issue.message }
  })
  throw new ConfigError(service, issues)
}

/**
 * Parses the environment for a service's `main`, printing the problems and exiting with status 78
 * (EX_CONFIG) on failure, so a misconfigured pod crash-loops with a readable reason instead of limping on.
 */
export function loadEnv<S extends z.ZodType>(service: string, schema: S): z.infer<S> {
  try {
    return parseEnv(service, schema)
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`)
      process.exit(78)
    }
    throw err
  }
}

/** Reusable variable schemas, so every service spells the same setting the same way. */
export const envVars = {
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
  bool: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no'])
      .default(fallback ? 'true' : 'false')
      .transform((v) => v === 'true' || v === '1' || v === 'yes'),
  logLevel: () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  nodeEnv: () => z.enum(['development', 'test', 'production']).default('development'),
  url: (fallback?: string) => (fallback === undefined ? z.url() : z.url().default(fallback)),
  durationMs: (fallback: number) => z.coerce.number().int().positive().default(fallback),
  positiveInt: (fallback: number) => z.coerce.number().int().positive().default(fallback),
}

/** Settings shared by every service. */
export const baseEnvSchema = z.object({
  NODE_ENV: envVars.nodeEnv(),
  LOG_LEVEL: envVars.logLevel(),
  SHUTDOWN_TIMEOUT_MS: envVars.durationMs(25_000),
})
export type BaseEnv = z.infer<typeof baseEnvSchema>
