import { AppError } from '@psa/errors'
import {
  type AgentRequest,
  type AgentResponse,
  MAX_SUBMIT_ITEMS,
  type SubmitItem,
  type SubmitRequestsResponse,
} from '@psa/proto'
import { fromSubmitError } from './errors.js'

/**
 * The most a call's items may weigh by `weightOf`: half the orchestrator's default receive limit
 * (GRPC_MAX_RECEIVE_BYTES, 256 KiB), so gathering never makes a call too large where each submit alone fits.
 */
export const MAX_BATCH_WEIGHT = 128 * 1024

/**
 * An upper bound on an item's encoded size from its HTTP body's: a JSON `context` grows at most about 5.5×
 * as a protobuf Struct (`[0,0,…]`: 2 bytes per element in JSON, 11 in a ListValue), plus the token and trace.
 */
export function weightOf(bodyBytes: number, authorization: string, traceparent: string): number {
  return 6 * bodyBytes + authorization.length + traceparent.length + 64
}

interface Pending {
  item: SubmitItem
  resolve(response: AgentResponse): void
  reject(error: unknown): void
}

/**
 * Gathers the submits that arrive in one turn of the event loop (the HTTP requests read from the sockets in
 * one poll) into one SubmitRequests call: they share its HTTP/2 stream, headers and protobuf framing instead
 * of a call each, and reach the orchestrator's group commit together. A lone submit waits for nothing but
 * the end of the turn. Each item carries its caller's token and trace and gets its own answer, as it would
 * from SubmitRequest.
 */
export class SubmitBatcher {
  #pending: Pending[] = []
  #weight = 0
  #scheduled = false

  constructor(private readonly send: (items: SubmitItem[]) => Promise<SubmitRequestsResponse>) {}

  /** `bodyBytes`: the size of the HTTP body the request came in, for the call's weight (`weightOf`). */
  submit(
    authorization: string,
    traceparent: string,
    request: AgentRequest,
    bodyBytes: number,
  ): Promise<AgentResponse> {
    return new Promise((resolve, reject) => {
      const weight = weightOf(bodyBytes, authorization, traceparent)
      // A heavy item goes in a call after the ones gathered so far; one alone always goes.
      if (this.#pending.length > 0 && this.#weight + weight > MAX_BATCH_WEIGHT) this.#flush()
      this.#pending.push({ item: { request, authorization, traceparent }, resolve, reject })
      this.#weight += weight
      if (this.#pending.length >= MAX_SUBMIT_ITEMS) this.#flush()
      else if (!this.#scheduled) {
        this.#scheduled = true
        setImmediate(() => this.#flush())
      }
    })
  }

  #flush(): void {
    this.#scheduled = false
    const batch = this.#pending
    if (batch.length === 0) return
    this.#pending = []
    this.#weight = 0
    this.send(batch.map((p) => p.item)).then(
      ({ outcomes }) => {
        for (const [i, pending] of batch.entries()) {
          const outcome = outcomes[i]?.outcome
          if (outcome?.$case === 'response') pending.resolve(outcome.value)
          else if (outcome?.$case === 'error') pending.reject(fromSubmitError(outcome.value))
          else pending.reject(new AppError('INTERNAL', 'The agent service answered without this request'))
        }
      },
      (error: unknown) => {
        for (const pending of batch) pending.reject(error)
      },
    )
  }
}
