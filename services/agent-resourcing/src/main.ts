import { runAgentWorker } from '@psa/agent-runtime'
import { resourcingAgent } from './agent.js'
import { loadServiceEnv } from './env.js'
import { resourcingPlaybook } from './playbook.js'

await runAgentWorker({
  service: 'agent-resourcing',
  agent: resourcingAgent,
  playbook: resourcingPlaybook,
  env: loadServiceEnv(),
})
