import { parseArgs } from 'node:util'
import { solveAssignment } from '../assign/solve.js'
import { parseOrlibGap } from '../formats/orlib-gap.js'
import { fail, forEachFile, instanceName } from './files.js'

const usage =
  'usage: npm run -s assign -- --format orlib-gap --objective min|max [--time-limit-ms N] [--seed N] FILE...'

const { values, positionals } = parseArgs({
  options: {
    format: { type: 'string' },
    objective: { type: 'string' },
    'time-limit-ms': { type: 'string' },
    seed: { type: 'string', default: '1' },
  },
  allowPositionals: true,
})
if (values.format !== 'orlib-gap') fail(`--format orlib-gap is required (the one format supported)\n${usage}`)
const objective = values.objective
if (objective !== 'min' && objective !== 'max') fail(`--objective must be min or max\n${usage}`)
if (positionals.length === 0) fail(usage)
const timeLimitMs = values['time-limit-ms'] === undefined ? undefined : Number(values['time-limit-ms'])
const seed = Number(values.seed)
if (timeLimitMs !== undefined && (!Number.isInteger(timeLimitMs) || timeLimitMs < 1))
  fail('--time-limit-ms must be a positive whole number')
if (!Number.isInteger(seed)) fail('--seed must be a whole number')

process.exitCode = await forEachFile(positionals, async (text, file) => {
  const result = await solveAssignment(parseOrlibGap(text, objective), {
    seed,
    ...(timeLimitMs ? { timeLimitMs } : {}),
  })
  const instance = instanceName(file, true)
  if (!result.feasible) return { instance, infeasible: true, ...(result.proven ? {} : { proven: false }) }
  return { instance, objective: result.objective, assignment: result.assignment }
})
