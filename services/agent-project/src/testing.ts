// What other services' tests run this agent with (`@psa/agent-project/testing`): its definition and the offline
// model's playbook for it, for a worker in their own process.
export { projectAgent } from './agent.js'
export { projectPlaybook } from './playbook.js'
