import type { ServerResponse } from 'node:http'
import type { FastifyReply } from 'fastify'

/**
 * Takes the response over from Fastify and starts an event stream on it, keeping the headers the hooks set
 * (request id, security headers). Written at once, with Nagle off, so small frames are not held back.
 */
export function startEventStream(reply: FastifyReply): ServerResponse {
  reply.hijack()
  const res = reply.raw
  const headers: Record<string, string | string[] | number> = {}
  for (const [name, value] of Object.entries(reply.getHeaders())) {
    if (value !== undefined) headers[name] = value as string | string[] | number
  }
  res.writeHead(200, {
    ...headers,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-store, no-transform',
    connection: 'keep-alive',
    // nginx (and the ingress-nginx controller) would otherwise buffer the stream.
    'x-accel-buffering': 'no',
  })
  res.flushHeaders()
  res.socket?.setNoDelay(true)
  return res
}
