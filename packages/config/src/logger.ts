import { AsyncLocalStorage } from 'node:async_hooks'
import { type Logger, type LoggerOptions, pino } from 'pino'
import { redactText, redactValue } from './redaction.js'

export type { Logger } from 'pino'
export { redactText } from './redaction.js'

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

/**
 * Fields censored wherever they appear in a log object (values, never keys, are removed): by name, at any
 * depth, in plain objects and class instances alike (`redactValue`, whose names cover all of these; a test
 * holds it to that). Not pino's `redact` paths: @pinojs/redact parses every path on every line and clones
 * the objects they reach, 60% of a request's log line (30 of 52 microseconds).
 */
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
  '*.AWS_SECRET_ACCESS_KEY',
  '*.AWS_SESSION_TOKEN',
  '*.AWS_BEARER_TOKEN_BEDROCK',
  '*.secretAccessKey',
  '*.sessionToken',
  '*.NATS_TOKEN',
  '*.NATS_PASSWORD',
  '*.NATS_CREDS',
  '*.NATS_NKEY_SEED',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  'metadata.authorization',
]

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
    formatters: {
      level: (label) => ({ level: label }),
      // Beyond the fixed paths above: secret-named fields at any depth and credentials inside any string.
      log: (object) => redactValue(object) as Record<string, unknown>,
      bindings: (bindings) => redactValue(bindings) as Record<string, unknown>,
    },
    mixin: () => ({ ...logContext.getStore() }),
    hooks: {
      // The message text too: an error's message interpolated into it, a URL with its query.
      logMethod(args, method) {
        for (let i = 0; i < args.length; i++) {
          const arg = args[i]
          if (typeof arg === 'string') args[i] = redactText(arg)
        }
        method.apply(this, args)
      },
    },
    serializers: {
      err: (err: unknown) => {
        const serialized = pino.stdSerializers.err(err as Error)
        if (!serialized) return serialized
        // The error's own fields too (a provider SDK's error keeps the request headers or body).
        const { message, stack, ...rest } = serialized
        return {
          ...(redactValue(rest) as Record<string, unknown>),
          ...(message ? { message: redactText(message) } : {}),
          ...(stack ? { stack: redactText(stack) } : {}),
        }
      },
    },
  }
  const logger = config.destination ? pino(options, config.destination) : pino(options)
  // A child's bindings skip `formatters.bindings` (pino applies it to the root's only): censor them here.
  // Children are created from their parent's prototype, so this reaches grandchildren too.
  const child = logger.child
  logger.child = function (this: Logger, bindings, childOptions) {
    return child.call(this, redactValue(bindings) as typeof bindings, childOptions)
  } as typeof logger.child
  return logger
}
