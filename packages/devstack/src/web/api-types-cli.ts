// `npm run web:api-types`: writes the web app's API types from the OpenAPI document of a gateway started
// here (built, on a free port, in local development mode so the dev routes are in it as `npm start` has them).
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { freeStackPorts } from '../services.js'
import { startStack } from '../stack.js'
import { API_TYPES_PATH, apiTypesSource } from './api-types.js'

const root = fileURLToPath(new URL('../../../../', import.meta.url))
const ports = await freeStackPorts()
const lines: string[] = []
const stack = startStack(
  {
    root,
    ports,
    databaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/psa',
    natsUrl: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
    namespace: 'apitypes',
    authDevMode: true,
    logLevel: 'warn',
    extraEnv: { DEV_SIGNING_KEY_PATH: join(mkdtempSync(join(tmpdir(), 'psa-api-types-')), 'key.json') },
  },
  { only: ['gateway'], write: (l) => lines.push(l) },
)
try {
  const url = `http://127.0.0.1:${ports.gateway}/openapi.json`
  const deadline = Date.now() + 60_000
  let document: object | undefined
  while (!document) {
    const res = await fetch(url).catch(() => undefined)
    if (res?.ok) document = (await res.json()) as object
    else if (Date.now() > deadline)
      throw new Error(`no OpenAPI document at ${url}\n${lines.slice(-20).join('\n')}`)
    else await new Promise((r) => setTimeout(r, 300))
  }
  writeFileSync(join(root, API_TYPES_PATH), await apiTypesSource(document))
  process.stdout.write(`wrote ${API_TYPES_PATH}\n`)
} finally {
  await stack.stop()
}
