export {
  type Admission,
  type AdmissionDeps,
  type AdmissionRequest,
  admissionEvent,
  admit,
  admitChild,
  enqueueSession,
  LineLengths,
} from './admission.js'
export { cancelSession } from './cancellation.js'
export {
  type Changeset,
  type ChangesetOperation,
  changesetOperationSchema,
  changesetSchema,
} from './changeset.js'
export {
  lastStreamSeq,
  publishSessionEvent,
  SessionEventWriter,
  type SessionEventWriterOptions,
} from './event-writer.js'
export {
  describeEvent,
  fromProtoEvent,
  isTerminalEvent,
  type SessionEventBody,
  type SessionEventEnvelope,
  type SessionEventType,
  sessionEventEnvelopeSchema,
  sessionEventSchema,
  toProtoEvent,
} from './events.js'
export {
  type CancelCommand,
  cancelCommandSchema,
  jsonObjectSchema,
  TRACEPARENT_HEADER,
  type WorkItem,
  workItemSchema,
} from './messages.js'
export {
  type CancelOutcome,
  type Completion,
  type Membership,
  type NewSession,
  type QueuePosition,
  type SessionError,
  type SessionListFilter,
  type SessionRow,
  SessionStore,
  type StartAttempt,
} from './session-store.js'
export {
  deleteTopology,
  ensureTopology,
  type PipelineEnv,
  PipelineTopology,
  pipelineEnvSchema,
} from './topology.js'
