import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  AGENT_TYPES,
  AgentRequest,
  AgentType,
  agentTypeFromProto,
  agentTypeToProto,
  PROTO_FILES,
  PROTO_ROOT,
  SESSION_STATUSES,
  SessionEvent,
  SessionStatus,
  sessionStatusFromProto,
  sessionStatusToProto,
} from './index.js'

describe('@psa/proto', () => {
  it('maps every agent type and status both ways and rejects unspecified values', () => {
    for (const name of AGENT_TYPES) expect(agentTypeFromProto(agentTypeToProto(name))).toBe(name)
    for (const name of SESSION_STATUSES) expect(sessionStatusFromProto(sessionStatusToProto(name))).toBe(name)
    expect(agentTypeFromProto(AgentType.AGENT_TYPE_UNSPECIFIED)).toBeUndefined()
    expect(agentTypeFromProto(AgentType.UNRECOGNIZED)).toBeUndefined()
    expect(sessionStatusFromProto(SessionStatus.SESSION_STATUS_UNSPECIFIED)).toBeUndefined()
  })

  it('round-trips a request with a JSON context through the wire format', () => {
    const request = AgentRequest.fromPartial({
      type: AgentType.AGENT_TYPE_QUOTES,
      request: 'Quote 200h senior dev',
      context: { client: 'Acme', lines: [{ role: 'Senior Developer', hours: 200 }], rush: true },
    })
    const decoded = AgentRequest.decode(AgentRequest.encode(request).finish())
    expect(decoded).toEqual(request)
  })

  it('decodes an enum value from a newer client as UNRECOGNIZED instead of throwing', () => {
    const bytes = Uint8Array.from([0x08, 0x63]) // field 1 (type), varint 99
    expect(AgentRequest.decode(bytes).type).toBe(AgentType.UNRECOGNIZED)
  })

  it('carries one payload per event', () => {
    const event = SessionEvent.fromPartial({
      sessionId: 's',
      seq: 7,
      payload: { $case: 'reasoning', value: { text: 'Looking at the plan' } },
    })
    const decoded = SessionEvent.decode(SessionEvent.encode(event).finish())
    expect(decoded.seq).toBe(7)
    expect(decoded.payload).toEqual({ $case: 'reasoning', value: { text: 'Looking at the plan' } })
  })

  it('ships the .proto files next to the package', () => {
    for (const file of PROTO_FILES) expect(existsSync(join(PROTO_ROOT, file))).toBe(true)
  })
})
