#!/usr/bin/env node
// `npm run db:setup | db:reset | db:advisors | db:types`, and the psa-db image's command: the schema's tooling
// (@psa/supabase) with the demo data as its seed. It lives here, not in supabase/, so the schema never
// depends on the data it is loaded with.
import { runDbCli } from '@psa/supabase'
import { demoDataSeed } from './seed.js'

process.exitCode = await runDbCli(process.argv.slice(2), { seed: demoDataSeed })
