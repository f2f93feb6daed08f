export {
  AGENT_WRITABLE_TABLES,
  type AgentWritableTable,
  IDENTITY_COLUMNS,
  isAgentWritableTable,
  SERVER_MANAGED_COLUMNS,
} from './catalog.js'
export { type ExecuteOptions, type ExecutionMode, executeOperations } from './engine.js'
export {
  type Changeset,
  type ChangesetOperation,
  changesetOperationSchema,
  changesetSchema,
  type RevertChangeset,
  type RevertOperation,
  revertChangesetSchema,
  revertOperationSchema,
} from './format.js'
export {
  applyProposal,
  canDecideProposals,
  type DecisionOptions,
  type ProposalRow,
  type ProposalStatus,
  rejectProposal,
  revertProposal,
} from './proposals.js'
