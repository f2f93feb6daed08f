// What other packages' tests start the orchestrator with (`@psa/orchestrator/testing`).
export {
  startTestOrchestrator,
  type TestOrchestrator,
  type TestOrchestratorOptions,
} from './test-orchestrator.js'
