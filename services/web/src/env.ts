import { baseEnvSchema, envVars, loadEnv, parseEnv } from '@psa/config'
import { z } from 'zod'

export const webEnvSchema = baseEnvSchema.extend({
  PORT: envVars.port(3000),
  // All interfaces by default: in a pod the kubelet probes and the Service reach the container by its IP.
  HOST: z.string().min(1).default('0.0.0.0'),
  // The gateway's origin (scheme, host, port; an optional path prefix is kept). Browsers never see it: they
  // call /api/* on this origin and the server forwards.
  GATEWAY_URL: z
    .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
    .default('http://127.0.0.1:8080')
    .transform((url) => url.replace(/\/+$/, '')),
})

export type WebEnv = z.infer<typeof webEnvSchema>

export function parseWebEnv(source: Record<string, string | undefined> = process.env): WebEnv {
  return parseEnv('web', webEnvSchema, source)
}

export function loadWebEnv(): WebEnv {
  return loadEnv('web', webEnvSchema)
}
