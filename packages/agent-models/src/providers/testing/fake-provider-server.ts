import { once } from 'node:events'
import { createServer, type IncomingMessage } from 'node:http'
import { createServer as createHttp2Server, type Http2Session } from 'node:http2'
import type { AddressInfo } from 'node:net'
import { EventStreamCodec } from '@smithy/core/event-streams'

/**
 * Loopback HTTP servers that speak the model providers' streaming protocols, so the provider wiring is
 * tested end to end (real SDK clients, real HTTP, real parsers) without any network. Test support only.
 */

export interface RecordedRequest {
  method: string
  path: string
  headers: IncomingMessage['headers']
  body: unknown
}

export interface FakeServer {
  /** http://127.0.0.1:<port> */
  url: string
  requests: RecordedRequest[]
  /** Resolves when the client closed a response before it ended (e.g. a cancelled request). */
  clientAborts: number
  close(): Promise<void>
}

/** What the fake servers use of a response; both HTTP/1.1 and HTTP/2 (compatibility API) responses fit. */
export interface FakeResponse {
  readonly headersSent: boolean
  readonly writableEnded: boolean
  readonly destroyed: boolean
  writeHead(status: number, headers: Record<string, string>): unknown
  write(chunk: string | Uint8Array): unknown
  end(chunk: string): unknown
  end(): unknown
  on(event: 'close', listener: () => void): unknown
}

export type Responder = (request: RecordedRequest, res: FakeResponse, index: number) => void | Promise<void>

/**
 * `http2: true` serves cleartext HTTP/2 (h2c), which is what the AWS SDK's default Node handler speaks to an
 * http:// endpoint.
 */
export async function startFakeServer(respond: Responder, { http2 = false } = {}): Promise<FakeServer> {
  const requests: RecordedRequest[] = []
  const state = { clientAborts: 0 }
  const sessions = new Set<Http2Session>()
  const handle = async (
    req: AsyncIterable<unknown> & { method?: string; url?: string; headers: IncomingMessage['headers'] },
    res: FakeResponse,
  ) => {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const raw = Buffer.concat(chunks).toString('utf8')
    let body: unknown = raw
    try {
      body = raw ? JSON.parse(raw) : null
    } catch {
      // keep the raw text
    }
    const recorded = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body }
    requests.push(recorded)
    res.on('close', () => {
      if (!res.writableEnded) state.clientAborts++
    })
    try {
      await respond(recorded, res, requests.length - 1)
    } catch (err) {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ error: String(err) }))
    }
  }
  const server = http2 ? createHttp2Server(handle) : createServer(handle)
  if (http2) {
    server.on('session', (session: Http2Session) => {
      sessions.add(session)
      session.on('close', () => sessions.delete(session))
    })
  }
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    get clientAborts() {
      return state.clientAborts
    },
    close: async () => {
      for (const session of sessions) session.destroy()
      if ('closeAllConnections' in server) server.closeAllConnections()
      server.close()
      await once(server, 'close')
    },
  }
}

/** A plain JSON response (errors, non-streaming answers). */
export function writeJson(res: FakeResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' })
  res.end(JSON.stringify(body))
}

/** Resolves when the response is closed by the client (used to hold a stream open until cancelled). */
export function untilClosed(res: FakeResponse): Promise<void> {
  return res.destroyed ? Promise.resolve() : new Promise((resolve) => res.on('close', () => resolve()))
}

/** OpenAI Chat Completions streaming: `data: {chunk}` lines, then `data: [DONE]`. */
export function writeOpenAiChunks(res: FakeResponse, chunks: object[], { end = true } = {}): void {
  if (!res.headersSent)
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
  for (const chunk of chunks) res.write(`data: ${JSON.stringify(chunk)}\n\n`)
  if (end) res.end('data: [DONE]\n\n')
}

export function openAiChunk(delta: object, finishReason: string | null = null): object {
  return {
    id: 'chatcmpl-fake',
    object: 'chat.completion.chunk',
    created: 1_764_000_000,
    model: 'fake-model',
    choices: [{ index: 0, delta, finish_reason: finishReason }],
  }
}

export function openAiUsageChunk(prompt: number, completion: number): object {
  return {
    id: 'chatcmpl-fake',
    object: 'chat.completion.chunk',
    created: 1_764_000_000,
    model: 'fake-model',
    choices: [],
    usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
  }
}

/** Anthropic Messages streaming: `event: <type>` + `data: {json}` pairs. */
export function writeAnthropicEvents(
  res: FakeResponse,
  events: ({ type: string } & Record<string, unknown>)[],
  { end = true } = {},
): void {
  if (!res.headersSent)
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' })
  for (const event of events) res.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`)
  if (end) res.end()
}

const codec = new EventStreamCodec(
  (bytes) => Buffer.from(bytes).toString('utf8'),
  (text) => new Uint8Array(Buffer.from(text, 'utf8')),
)

/** Bedrock ConverseStream: binary AWS event-stream frames, one per event. */
export function writeBedrockEvents(res: FakeResponse, events: object[], { end = true } = {}): void {
  if (!res.headersSent) {
    res.writeHead(200, {
      'content-type': 'application/vnd.amazon.eventstream',
      'x-amzn-requestid': 'fake-request',
    })
  }
  for (const event of events) {
    const [eventType, payload] = Object.entries(event)[0] as [string, object]
    const frame = codec.encode({
      headers: {
        ':event-type': { type: 'string', value: eventType },
        ':content-type': { type: 'string', value: 'application/json' },
        ':message-type': { type: 'string', value: 'event' },
      },
      body: new Uint8Array(Buffer.from(JSON.stringify(payload), 'utf8')),
    })
    res.write(frame)
  }
  if (end) res.end()
}
