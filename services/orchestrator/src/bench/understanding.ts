// `npm run bench:models [-- --seconds 5 --dump file.json]`: what the offline model's request understanding
// costs per request, over every agent's own corpus (the requests, demo-firm contexts and agent types their
// corpus tests use). It lives here because the orchestrator is the one service that knows every agent. Prints requests/s and µs per understanding, overall and per corpus, with the load
// average (2-core machines are shared: read the figures with it). `--dump` writes every understanding as
// JSON, so a change meant to be faster only can be checked to give the same answers (diff two dumps).
// Profile with: node --cpu-prof --import tsx --conditions=source services/orchestrator/src/bench/understanding.ts

import { writeFileSync } from 'node:fs'
import { loadavg } from 'node:os'
import { parseArgs } from 'node:util'
import { type AgentType, understand } from '@psa/agent-models'
import { projectCorpus } from '@psa/agent-project/corpus'
import { quotesCorpus } from '@psa/agent-quotes/corpus'
import { resourcingCorpus } from '@psa/agent-resourcing/corpus'
import { orchestratorCorpus } from '../orchestrator-agent/corpus.js'

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '5' },
    dump: { type: 'string' },
  },
})

interface Request {
  corpus: string
  text: string
  context: Record<string, unknown>
  agentType: AgentType
}

const corpora = [projectCorpus, resourcingCorpus, quotesCorpus, orchestratorCorpus]
const requests: Request[] = corpora.flatMap((corpus) =>
  corpus.cases.map((c) => ({
    corpus: corpus.name,
    text: c.request,
    context: { ...corpus.options.context, ...c.context },
    agentType: corpus.options.agentType,
  })),
)
const run = (r: Request) => understand(r.text, r.context, { agentType: r.agentType })

if (values.dump) {
  writeFileSync(values.dump, `${JSON.stringify(requests.map(run), null, 1)}\n`)
  console.log(`wrote ${requests.length} understandings to ${values.dump}`)
}

/** Runs `batch` over and over for about `seconds`; returns µs per request. */
function time(batch: readonly Request[], seconds: number): { perRequest: number; perSecond: number } {
  let done = 0
  const started = process.hrtime.bigint()
  const until = started + BigInt(Math.round(seconds * 1e9))
  let now = started
  while (now < until) {
    for (const r of batch) run(r)
    done += batch.length
    now = process.hrtime.bigint()
  }
  const micros = Number(now - started) / 1e3
  return { perRequest: micros / done, perSecond: (done / micros) * 1e6 }
}

const seconds = Number(values.seconds)
time(requests, Math.min(1, seconds / 5)) // warm-up: let the JIT settle before measuring
console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}; ${requests.length} requests`,
)
for (const { name } of corpora) {
  const batch = requests.filter((r) => r.corpus === name)
  const t = time(batch, seconds / (corpora.length + 1))
  console.log(
    `${name.padEnd(13)} ${String(batch.length).padStart(4)} requests  ${t.perRequest.toFixed(0).padStart(6)} µs/understanding  ${t.perSecond.toFixed(0).padStart(6)} requests/s`,
  )
}
const all = time(requests, seconds / (corpora.length + 1))
console.log(
  `${'all'.padEnd(13)} ${String(requests.length).padStart(4)} requests  ${all.perRequest.toFixed(0).padStart(6)} µs/understanding  ${all.perSecond.toFixed(0).padStart(6)} requests/s`,
)
