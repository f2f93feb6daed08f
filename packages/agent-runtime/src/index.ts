export { AttemptControl, type AttemptStop, RunningAttempts } from './attempt-control.js'
export {
  type AutoApplyDeps,
  type AutoApplyOutcome,
  type AutoApplyResult,
  autoApplyProposal,
} from './auto-apply.js'
export { subscribeToCancels } from './cancel-subscription.js'
export { ConsumerLoop, type ConsumerLoopOptions } from './consumer-loop.js'
export { canonicalJson, deterministicUuid, sha256Hex } from './deterministic-id.js'
export { type AgentServiceEnv, agentServiceEnvSchema, agentWorkerEnvShape } from './env.js'
export {
  describeToolResult,
  type EmitEvent,
  StrandsEventBridge,
  type ToolCallOutcome,
} from './event-bridge.js'
export {
  completeEventLog,
  type LoggedEnding,
  type RecoveredEvents,
  readStreamEvents,
  recoverSessionEvents,
} from './event-recovery.js'
export { isTransient, TransientFailure } from './failures.js'
export { createRuntimeMetrics, type RuntimeMetrics } from './metrics.js'
export { buildModelContext, calendarDay } from './model-context.js'
export { ReasoningCoalescer, type ReasoningCoalescerOptions } from './reasoning-coalescer.js'
export { type AgentDefinition, SessionProcessor, type SessionProcessorOptions } from './session-processor.js'
export { boundedJson, boundedObject, truncateText } from './text.js'
export {
  type AgentTool,
  type AgentToolContext,
  type AutoApplyReport,
  autoApplyReport,
  bindTools,
  defineTool,
  type ProposalInput,
  type ProposalOutcome,
  proposalNote,
  publishedInputSchema,
  type SessionInfo,
  type ToolContextFactory,
  type ToolResult,
} from './tools.js'
export {
  type AgentWorker,
  type AgentWorkerDeps,
  createAgentWorker,
  type RunAgentWorkerOptions,
  type RunningAgentWorker,
  runAgentWorker,
} from './worker.js'
