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
export { AdmissionBatcher } from './admission-batch.js'
export {
  type AttemptCheck,
  AttemptStore,
  type Completion,
  type SessionError,
  type StartAttempt,
} from './attempt-store.js'
export { cancelSession } from './cancellation.js'
export { EventLog, eventLogRow } from './event-log.js'
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
  type NewSession,
  type QueuePosition,
  type SessionListFilter,
  type SessionRow,
  SessionStore,
} from './session-store.js'
export {
  deleteTopology,
  ensureTopology,
  type PipelineEnv,
  PipelineTopology,
  pipelineEnvSchema,
} from './topology.js'
