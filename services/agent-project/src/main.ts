import { runAgentWorker } from '@psa/agent-runtime'
import { projectAgent } from './agent.js'
import { loadServiceEnv } from './env.js'
import { projectPlaybook } from './playbook.js'

await runAgentWorker({
  service: 'agent-project',
  agent: projectAgent,
  playbook: projectPlaybook,
  env: loadServiceEnv(),
})
