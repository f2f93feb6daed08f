export { type NamedEntity, type RequestContext, requestContextSchema } from './context.js'
export {
  CONTEXT_CLOSE,
  CONTEXT_OPEN,
  formatUserMessage,
  type ParsedUserMessage,
  parseRequestContext,
  parseUserMessage,
  type UserMessageInput,
} from './message-format.js'
export { type ConversationState, readConversation } from './offline/conversation.js'
export { defaultPlaybook } from './offline/default-playbook.js'
export {
  chunkText,
  type OfflineBlock,
  OfflineModel,
  type OfflineModelConfig,
  type OfflineModelOptions,
  type OfflineTurn,
} from './offline/offline-model.js'
export {
  callTools,
  finish,
  hasTool,
  lastCall,
  type Playbook,
  type PlaybookDecision,
  type PlaybookInput,
  type PlaybookStep,
  playbookDecisionSchema,
  type ToolCallRecord,
  type ToolCallRequest,
} from './offline/playbook.js'
export {
  answerText,
  extractResult,
  formatResultBlock,
  RESULT_CLOSE,
  RESULT_OPEN,
} from './offline/result-block.js'
export { checkToolInput } from './offline/tool-input-validation.js'
export {
  type AgentModelConfig,
  agentModelEnvSchema,
  agentModelEnvShape,
  checkAgentModelEnv,
  type ModelProvider,
  modelProviderSchema,
  parseAgentModelEnv,
} from './providers/config.js'
export { buildModel, type CreateModelOptions, createModel, resetSharedModels } from './providers/factory.js'
export {
  describeDuration,
  describeGaps,
  describeIntent,
  describeRole,
  describeUnderstanding,
} from './understanding/describe.js'
export { formatMoney } from './understanding/money.js'
export { possibleRoles } from './understanding/roles.js'
export * from './understanding/schema.js'
export { MAX_REQUEST_CHARS, type UnderstandOptions, understand } from './understanding/understand.js'
