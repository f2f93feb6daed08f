import { AsyncLocalStorage } from 'node:async_hooks'
import Anthropic, { type ClientOptions } from '@anthropic-ai/sdk'
import type { Message, ModelStreamEvent, StreamOptions } from '@strands-agents/sdk'
import { AnthropicModel, type AnthropicModelConfig } from '@strands-agents/sdk/models/anthropic'

/** The cancel signal of the model call in progress, read by the client's fetch. */
const callSignal = new AsyncLocalStorage<AbortSignal>()

const signalAwareFetch: typeof fetch = (input, init) => {
  const signal = callSignal.getStore()
  if (!signal) return fetch(input, init)
  return fetch(input, { ...init, signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal })
}

export interface CancellableAnthropicModelOptions extends AnthropicModelConfig {
  apiKey: string
  clientConfig?: Omit<ClientOptions, 'apiKey' | 'fetch'>
}

/**
 * The SDK's AnthropicModel, made to honour the agent's cancel signal. In @strands-agents/sdk 1.19.0 it does
 * not pass the signal to the HTTP request, so a cancelled agent waits for the server's next event (or the
 * request timeout) before it notices. Here the client's fetch joins the signal of the call it serves, so a
 * cancel aborts the stream at once.
 */
export class CancellableAnthropicModel extends AnthropicModel {
  constructor({ apiKey, clientConfig, ...config }: CancellableAnthropicModelOptions) {
    super({ ...config, client: new Anthropic({ ...clientConfig, apiKey, fetch: signalAwareFetch }) })
  }

  override async *stream(messages: Message[], options?: StreamOptions): AsyncGenerator<ModelStreamEvent> {
    const signal = options?.cancelSignal
    const inner = super.stream(messages, options)[Symbol.asyncIterator]()
    while (true) {
      // Each step runs inside the signal's context, so whichever step starts a request (the first, or a
      // continuation) gets the signal.
      const next = signal ? await callSignal.run(signal, () => inner.next()) : await inner.next()
      if (next.done) return
      yield next.value
    }
  }
}
