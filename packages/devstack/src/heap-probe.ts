// The heap a service keeps, for the soak: what is left after a full garbage collection. Resident memory
// and heapUsed also count garbage not yet collected (V8 lets the heap grow while memory is plentiful), so
// only the heap after a forced GC tells bounded from unbounded growth. The services run with the inspector
// on a free loopback port (NODE_OPTIONS=--inspect=127.0.0.1:0, bench only); this asks it over the DevTools
// protocol to collect garbage and report the heap's use. No change to the services.

/** NODE_OPTIONS for services the probe will ask (a free loopback port each, announced on stderr). */
export const INSPECT_NODE_OPTIONS = '--inspect=127.0.0.1:0'

const LISTENING = /^\[([\w-]+)\] Debugger listening on (ws:\/\/127\.0\.0\.1:\d+\/[\w-]+)/

/** The inspector address each service announced last (a restarted service announces a new one). */
export function inspectorUrls(lines: readonly string[]): Map<string, string> {
  const urls = new Map<string, string>()
  for (const line of lines) {
    const m = LISTENING.exec(line)
    if (m?.[1] && m[2]) urls.set(m[1], m[2])
  }
  return urls
}

/** MiB of heap in use after a full GC, or NaN when the service cannot be asked. */
export async function heapAfterGcMiB(url: string | undefined, timeoutMs = 15_000): Promise<number> {
  if (!url) return Number.NaN
  const ws = new WebSocket(url)
  const pending = new Map<number, (result: Record<string, unknown>) => void>()
  let id = 0
  const send = (method: string) =>
    new Promise<Record<string, unknown>>((resolve) => {
      id += 1
      pending.set(id, resolve)
      ws.send(JSON.stringify({ id, method }))
    })
  ws.addEventListener('message', (event) => {
    const message = JSON.parse(String(event.data)) as { id?: number; result?: Record<string, unknown> }
    if (message.id !== undefined) pending.get(message.id)?.(message.result ?? {})
  })
  const timer = setTimeout(() => ws.close(), timeoutMs)
  try {
    await new Promise<void>((resolve, reject) => {
      ws.addEventListener('open', () => resolve(), { once: true })
      ws.addEventListener('error', () => reject(new Error(`inspector at ${url} did not answer`)), {
        once: true,
      })
    })
    await send('HeapProfiler.collectGarbage')
    const usage = await send('Runtime.getHeapUsage')
    return Number(usage.usedSize) / 1024 / 1024
  } catch {
    return Number.NaN
  } finally {
    clearTimeout(timer)
    ws.close()
  }
}
