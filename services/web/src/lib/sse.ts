import { createParser, type EventSourceMessage } from 'eventsource-parser'

export interface EventStreamOptions {
  url: string
  /** The access token for each (re)connection; null stops (signed out). */
  token: () => Promise<string | null>
  /** Resume after this event id (Last-Event-ID) on the first connection. */
  lastEventId?: string | undefined
  onEvent: (message: EventSourceMessage) => void
  onState?: (state: 'connecting' | 'open' | 'reconnecting' | 'closed', detail?: string) => void
  /** The server ended the stream for good (not a drop): no reconnect. */
  isFinal?: (message: EventSourceMessage) => boolean
  signal: AbortSignal
}

/**
 * Server-Sent Events over fetch (so the token travels in a header, not the URL), reconnecting after a
 * drop with `Last-Event-ID` and the server's `retry:` delay (growing to 15 s while it keeps failing), as
 * EventSource would. Resolves once the stream has ended for good or `signal` aborts.
 */
export async function followEventStream(o: EventStreamOptions): Promise<void> {
  let lastEventId = o.lastEventId
  let retryMs = 2_000
  let failures = 0
  let finished = false
  while (!o.signal.aborted && !finished) {
    o.onState?.(failures === 0 && lastEventId === o.lastEventId ? 'connecting' : 'reconnecting')
    try {
      const token = await o.token()
      if (!token) break
      const res = await fetch(o.url, {
        headers: {
          accept: 'text/event-stream',
          authorization: `Bearer ${token}`,
          ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
        },
        cache: 'no-store',
        signal: o.signal,
      })
      if (!res.ok || !res.body) {
        // A 4xx will not get better by retrying (gone, forbidden); 401 may, with a fresh token.
        if (res.status >= 400 && res.status < 500 && res.status !== 401 && res.status !== 429) {
          o.onState?.('closed', `HTTP ${res.status}`)
          return
        }
        throw new Error(`HTTP ${res.status}`)
      }
      o.onState?.('open')
      failures = 0
      const parser = createParser({
        onEvent: (message) => {
          if (message.id) lastEventId = message.id
          o.onEvent(message)
          if (o.isFinal?.(message)) finished = true
        },
        onRetry: (ms) => {
          retryMs = ms
        },
      })
      const reader = res.body.getReader()
      const decoder = new TextDecoder()
      for (;;) {
        const { done, value } = await reader.read()
        if (done) break
        parser.feed(decoder.decode(value, { stream: true }))
      }
    } catch (err) {
      if (o.signal.aborted) break
      failures += 1
      o.onState?.('reconnecting', err instanceof Error ? err.message : String(err))
    }
    if (finished || o.signal.aborted) break
    await sleep(Math.min(15_000, retryMs * 2 ** Math.max(0, failures - 1)), o.signal)
  }
  o.onState?.('closed')
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms)
    signal.addEventListener('abort', () => {
      clearTimeout(timer)
      resolve()
    })
  })
}
