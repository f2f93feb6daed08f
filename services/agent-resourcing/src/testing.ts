// What other services' tests run this agent with (`@psa/agent-resourcing/testing`): its definition and the offline
// model's playbook for it, for a worker in their own process.
export { resourcingAgent } from './agent.js'
export { resourcingPlaybook } from './playbook.js'
