export { type BaseEnv, baseEnvSchema, ConfigError, envVars, loadEnv, parseEnv } from './env.js'
export {
  createLogger,
  currentLogContext,
  type Logger,
  type LoggerConfig,
  REDACTED_PATHS,
  redactText,
  withLogContext,
} from './logger.js'
export {
  childTraceContext,
  formatTraceparent,
  parseTraceparent,
  type TraceContext,
  traceLogFields,
} from './trace-context.js'
