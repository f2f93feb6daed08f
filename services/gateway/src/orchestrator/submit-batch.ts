import { AppError } from '@psa/errors'
import {
  type AgentRequest,
  type AgentResponse,
  MAX_SUBMIT_ITEMS,
  type SubmitItem,
  type SubmitRequestsResponse,
} from '@psa/proto'
import { fromSubmitError } from './errors.js'

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
  #scheduled = false

  constructor(private readonly send: (items: SubmitItem[]) => Promise<SubmitRequestsResponse>) {}

  submit(authorization: string, traceparent: string, request: AgentRequest): Promise<AgentResponse> {
    return new Promise((resolve, reject) => {
      this.#pending.push({ item: { request, authorization, traceparent }, resolve, reject })
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
