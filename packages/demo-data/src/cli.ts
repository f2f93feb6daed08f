#!/usr/bin/env node
// `npm run db:setup | db:reset | db:advisors | db:types`, and the psa-db image's command: the schema's tooling
// (@psa/supabase) with the demo data as its seed. It lives here, not in supabase/, so the schema never
// depends on the data it is loaded with. `--people N` (setup and reset) sizes the demo firm; setup loads
// it only into a database without the demo organisations, reset replaces them.
import { runDbCli } from '@psa/supabase'
import { sizedDemoDataSeed } from './seed.js'

/** Takes `--people N` / `--people=N` out of the arguments (the database tooling does not know it). */
function peopleOption(argv: string[]): { people: number | undefined; rest: string[] } {
  const rest: string[] = []
  let people: number | undefined
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string
    const value = arg === '--people' ? argv[++i] : arg.startsWith('--people=') ? arg.slice(9) : undefined
    if (value === undefined) {
      rest.push(arg)
      continue
    }
    people = Number(value)
    if (!Number.isInteger(people) || people < 1 || people > 100_000) {
      process.stderr.write(`db: --people takes a whole number of people (1-100000), not "${value}"\n`)
      process.exit(2)
    }
  }
  return { people, rest }
}

const { people, rest } = peopleOption(process.argv.slice(2))
process.exitCode = await runDbCli(rest, { seed: sizedDemoDataSeed(people) })
