import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { JWK } from 'jose'

export const JWKS_PATH = '/auth/v1/.well-known/jwks.json'

export type JwksServerMode = 'ok' | 'error' | 'hang'

/** A real HTTP server publishing a JWKS where Supabase does, for tests of anything that verifies tokens. */
export interface JwksTestServer {
  /** `http://127.0.0.1:<port>`: use it as SUPABASE_URL. */
  readonly origin: string
  readonly jwksUrl: string
  /** JWKS requests served so far (all modes). */
  readonly requests: number
  setJwks(jwks: { keys: JWK[] }): void
  /** `error` answers 500, `hang` never answers (for timeouts). */
  setMode(mode: JwksServerMode): void
  close(): Promise<void>
}

/** Listens on 127.0.0.1, port 0. */
export async function startJwksServer(initial: { keys: JWK[] }): Promise<JwksTestServer> {
  let jwks = initial
  let mode: JwksServerMode = 'ok'
  let requests = 0
  const server: Server = createServer((req, res) => {
    if (req.url !== JWKS_PATH) {
      res.writeHead(404).end()
      return
    }
    requests++
    if (mode === 'hang') return
    if (mode === 'error') {
      res.writeHead(500, { 'content-type': 'text/plain' }).end('boom')
      return
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(jwks))
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', resolve)
  })
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  return {
    origin,
    jwksUrl: `${origin}${JWKS_PATH}`,
    get requests() {
      return requests
    },
    setJwks: (next) => {
      jwks = next
    },
    setMode: (next) => {
      mode = next
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
