import { runAgentWorker } from '@psa/agent-runtime'
import { quotesAgent } from './agent.js'
import { loadServiceEnv } from './env.js'
import { quotesPlaybook } from './playbook.js'

await runAgentWorker({
  service: 'agent-quotes',
  agent: quotesAgent,
  playbook: quotesPlaybook,
  env: loadServiceEnv(),
})
