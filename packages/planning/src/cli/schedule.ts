import { parseArgs } from 'node:util'
import { parsePsplib } from '../formats/psplib.js'
import { levelSchedule } from '../schedule/level.js'
import { fail, forEachFile, instanceName } from './files.js'

const usage = 'usage: npm run -s schedule -- --format psplib [--time-limit-ms N] [--seed N] FILE...'

const { values, positionals } = parseArgs({
  options: {
    format: { type: 'string' },
    'time-limit-ms': { type: 'string', default: '1000' },
    seed: { type: 'string', default: '1' },
  },
  allowPositionals: true,
})
if (values.format !== 'psplib') fail(`--format psplib is required (the one format supported)\n${usage}`)
if (positionals.length === 0) fail(usage)
const timeLimitMs = Number(values['time-limit-ms'])
const seed = Number(values.seed)
if (!Number.isInteger(timeLimitMs) || timeLimitMs < 1) fail('--time-limit-ms must be a positive whole number')
if (!Number.isInteger(seed)) fail('--seed must be a whole number')

process.exitCode = await forEachFile(positionals, async (text, file) => {
  const result = await levelSchedule(parsePsplib(text), { timeLimitMs, seed })
  if (!result.feasible) throw new Error(result.message)
  return { instance: instanceName(file, false), makespan: result.makespan, starts: result.starts }
})
