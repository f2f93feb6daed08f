import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Writable } from 'node:stream'
import { createLogger, type Logger } from '@psa/config'

// Helpers for this service's tests: real HTTP servers on port 0, never mocks of node:http.

export interface RunningServer {
  server: Server
  url: string
  close(): Promise<void>
}

export async function listen(
  handler: (req: IncomingMessage, res: ServerResponse) => void,
  port = 0,
): Promise<RunningServer> {
  const server = createServer(handler)
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, '127.0.0.1', () => resolve())
  })
  return {
    server,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of req) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

/** A logger whose JSON lines the test can read back. */
export function memoryLogger(): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const raw: string[] = []
  const destination = new Writable({
    write(chunk, _encoding, done) {
      raw.push(...String(chunk).split('\n').filter(Boolean))
      done()
    },
  })
  const logger = createLogger({ service: 'web-test', level: 'debug', destination })
  return { logger, lines: () => raw.map((line) => JSON.parse(line) as Record<string, unknown>) }
}

/** Reads an event stream chunk by chunk, so a test can tell an incremental stream from a buffered one. */
export function chunkReader(body: ReadableStream<Uint8Array>) {
  const reader = body.getReader()
  const decoder = new TextDecoder()
  return {
    async next(): Promise<string | undefined> {
      const { done, value } = await reader.read()
      return done ? undefined : decoder.decode(value, { stream: true })
    },
    cancel: () => reader.cancel(),
  }
}
