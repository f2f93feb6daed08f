import { AsyncLocalStorage } from 'node:async_hooks'
import { type Logger, type LoggerOptions, pino } from 'pino'

export type { Logger } from 'pino'

/**
 * Fields (trace id, session id, user id...) that every log line written inside `withLogContext` carries,
 * without threading a child logger through every call.
 */
const logContext = new AsyncLocalStorage<Record<string, unknown>>()

export function withLogContext<T>(fields: Record<string, unknown>, fn: () => T): T {
  const parent = logContext.getStore()
  return logContext.run(parent ? { ...parent, ...fields } : fields, fn)
}

export function currentLogContext(): Readonly<Record<string, unknown>> {
  return logContext.getStore() ?? {}
}

/** Paths pino censors wherever they appear in a log object. Values, never keys, are removed. */
export const REDACTED_PATHS = [
  'password',
  'token',
  'secret',
  'apiKey',
  'authorization',
  'cookie',
  'access_token',
  'refresh_token',
  '*.password',
  '*.token',
  '*.secret',
  '*.apiKey',
  '*.api_key',
  '*.authorization',
  '*.Authorization',
  '*.cookie',
  '*.access_token',
  '*.refresh_token',
  '*.jwt',
  '*.DATABASE_URL',
  '*.SUPABASE_JWT_SECRET',
  '*.SUPABASE_SERVICE_ROLE_KEY',
  '*.OPENAI_API_KEY',
  '*.ANTHROPIC_API_KEY',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'metadata.authorization',
]

const CREDENTIALS_IN_URL = /(\b[a-z][a-z0-9+.-]*:\/\/)([^/@\s:]+)(?::[^/@\s]*)?@/gi
const BEARER = /\b(Bearer\s+)[A-Za-z0-9._~+/-]+=*/g
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+/g

/** Masks passwords in URLs, bearer tokens and JWTs inside free text (error messages, connection strings). */
export function redactText(text: string): string {
  return text
    .replace(CREDENTIALS_IN_URL, '$1$2:[REDACTED]@')
    .replace(BEARER, '$1[REDACTED]')
    .replace(JWT, '[JWT]')
}

export interface LoggerConfig {
  service: string
  level?: LoggerOptions['level']
  /** Where lines go; defaults to stdout. Tests pass a stream to inspect output. */
  destination?: pino.DestinationStream
}

export function createLogger(config: LoggerConfig): Logger {
  const options: LoggerOptions = {
    level: config.level ?? 'info',
    base: { service: config.service },
    timestamp: pino.stdTimeFunctions.isoTime,
    messageKey: 'msg',
    redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
    formatters: { level: (label) => ({ level: label }) },
    mixin: () => ({ ...logContext.getStore() }),
    serializers: {
      err: (err: unknown) => {
        const serialized = pino.stdSerializers.err(err as Error)
        if (serialized?.message) serialized.message = redactText(serialized.message)
        if (serialized?.stack) serialized.stack = redactText(serialized.stack)
        return serialized
      },
    },
  }
  return config.destination ? pino(options, config.destination) : pino(options)
}
