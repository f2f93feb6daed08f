#!/usr/bin/env node
// `npm run db:setup | db:reset | db:advisors | db:types`: the schema's tooling (@psa/supabase) with the demo
// data as its seed.
import { demoDataSeed } from '@psa/demo-data'
import { runDbCli } from '@psa/supabase'

process.exitCode = await runDbCli(process.argv.slice(2), { seed: demoDataSeed })
