// The container image's entry point (services/web/Dockerfile). The image holds Next.js's standalone output,
// which has no next.config.ts and no compiler to load it: the configuration as built is in
// .next/required-server-files.json, and Next.js reads it from this variable, as its own standalone server.js
// does. Then the usual server starts.
import { readFileSync } from 'node:fs'

const built = JSON.parse(
  readFileSync(new URL('../.next/required-server-files.json', import.meta.url), 'utf8'),
) as {
  config: unknown
}
process.env.__NEXT_PRIVATE_STANDALONE_CONFIG = JSON.stringify(built.config)
await import('./main.js')
