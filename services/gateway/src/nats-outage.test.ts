// Fault suite: NATS (a private nats-server of this test, on loopback) killed under load and restarted.
// Submits during the outage get a prompt 503 UNAVAILABLE with Retry-After instead of hanging; after the
// restart the orchestrator reconnects on its own and nothing it had accepted is lost.

import { type ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { freePort } from '@psa/test-kit'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { type GatewayHarness, startGatewayHarness } from './testing/harness.js'

let h: GatewayHarness
let nats: ChildProcess | undefined
let port: number
let storeDir: string
let faults = 0

async function startNats(): Promise<void> {
  nats = spawn('nats-server', ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir], {
    stdio: 'ignore',
  })
  // Ready once it accepts connections.
  const until = Date.now() + 10_000
  for (;;) {
    const ok = await fetch(`http://127.0.0.1:${port}`).then(
      () => true,
      (err: { cause?: { code?: string } }) => err.cause?.code !== 'ECONNREFUSED',
    )
    if (ok) return
    if (Date.now() > until) throw new Error('nats-server did not start')
    await new Promise((r) => setTimeout(r, 100))
  }
}

async function killNats(): Promise<void> {
  if (!nats || nats.exitCode !== null) return
  nats.kill('SIGKILL')
  await once(nats, 'exit')
}

beforeAll(async () => {
  port = await freePort()
  storeDir = mkdtempSync(join(tmpdir(), 'psa-nats-outage-'))
  await startNats()
  h = await startGatewayHarness({
    orchestrator: true,
    env: { ORCHESTRATOR_TIMEOUT_MS: '4000' },
    orchestratorEnv: { NATS_URL: `nats://127.0.0.1:${port}` },
  })
}, 60_000)
afterAll(async () => {
  if (nats?.exitCode !== null) await startNats().catch(() => {})
  await h?.close()
  await killNats()
  rmSync(storeDir, { recursive: true, force: true })
  console.info(`NATS outage suite: ${faults} NATS kills injected and survived`)
})

const submit = async () => {
  const started = performance.now()
  const res = await h.app.inject({
    method: 'POST',
    url: '/api/agents/quotes',
    headers: await h.bearer('member'),
    payload: { request: 'Quote 200h senior dev' },
  })
  return { res, ms: performance.now() - started }
}

describe('NATS killed and restarted', () => {
  it('answers 503 with Retry-After promptly during the outage, and loses nothing accepted', async () => {
    const accepted: string[] = []
    for (let round = 0; round < 2; round++) {
      const before = await submit()
      expect(before.res.statusCode, before.res.body).toBe(202)
      accepted.push(before.res.json().session_id)

      // Killed under load: submits in flight when it dies are either accepted (and kept) or refused.
      const inFlight = Array.from({ length: 8 }, () => submit())
      await killNats()
      faults++
      for (const { res } of await Promise.all(inFlight)) {
        expect([202, 503], res.body).toContain(res.statusCode)
        if (res.statusCode === 202) accepted.push(res.json().session_id)
      }
      const during = await submit()
      expect(during.res.statusCode, during.res.body).toBe(503)
      expect(during.res.headers['retry-after']).toMatch(/^\d+$/)
      expect(during.res.json().error.code).toBe('UNAVAILABLE')
      expect(during.ms).toBeLessThan(5_000)

      await startNats()
      await expect
        .poll(async () => (await submit()).res.statusCode, { timeout: 30_000, interval: 500 })
        .toBe(202)
    }
    // Every session accepted before an outage is still there, queued, with its work in the stream.
    for (const id of accepted) {
      const res = await h.app.inject({
        method: 'GET',
        url: `/api/sessions/${id}`,
        headers: await h.bearer('member'),
      })
      expect(res.json().status).toBe('queued')
    }
    const server = h.orchestrator?.server
    const info = await server?.nats.jsm.streams.info(server.topology.requestsStream)
    expect(info?.state.messages).toBeGreaterThanOrEqual(accepted.length)
  }, 120_000)
})
