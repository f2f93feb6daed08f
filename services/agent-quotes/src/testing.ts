// What other services' tests run this agent with (`@psa/agent-quotes/testing`): its definition and the offline
// model's playbook for it, for a worker in their own process.
export { quotesAgent } from './agent.js'
export { quotesPlaybook } from './playbook.js'
