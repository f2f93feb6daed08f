import { randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { testDatabaseUrl } from '@psa/test-kit'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { freeStackPorts, type StackPorts } from '../services.js'
import { type RunningStack, startStack } from '../stack.js'
import { API_TYPES_PATH, apiTypesSource } from './api-types.js'
import { accessibilityProblems, launchChromium, screenshot } from './browser.js'

// The web app in a real browser against the whole stack as `npm start` runs it (built services under the
// supervisor, on free ports, its own queue namespace, this run's test database with the demo data).
const root = fileURLToPath(new URL('../../../../', import.meta.url))
const output: string[] = []
// The figures as the page must show them for Northwind (USD, en-US), worked out here independently.
const fmt = {
  money: (minor: string) =>
    new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(Number(minor) / 100),
  pct: (value: string | null) =>
    value === null
      ? '—'
      : new Intl.NumberFormat('en-US', { style: 'percent', maximumFractionDigits: 1 }).format(
          Number(value) / 100,
        ),
  hours: (value: string) =>
    `${new Intl.NumberFormat('en-US', { maximumFractionDigits: 1 }).format(Number(value))} h`,
}

/** The parts of the gateway's answers this suite reads. */
interface Dashboard {
  utilisation: { utilisation_pct: string | null; billable_hours: string }
  revenue: { billable_value_minor: string; margin_minor: string }
  open_resource_requests: { count: number }
}
interface ProposalDiff {
  operations: { table: string; label: string }[]
}
let stack: RunningStack
let ports: StackPorts
let web: string
let api: string
let browser: Browser
let context: BrowserContext
let page: Page

let token: string | undefined
async function gateway<T>(path: string): Promise<T> {
  token ??= (
    (await (
      await fetch(`${api}/api/dev/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      })
    ).json()) as {
      access_token: string
    }
  ).access_token
  const res = await fetch(`${api}${path}`, { headers: { authorization: `Bearer ${token}` } })
  expect(res.status, path).toBe(200)
  return (await res.json()) as T
}

/** Screenshot and accessibility check of the page as it stands. */
async function checkPage(name: string): Promise<void> {
  await screenshot(page, name)
  expect(await accessibilityProblems(page), `${name}: serious or critical accessibility violations`).toEqual(
    [],
  )
}

beforeAll(async () => {
  ports = await freeStackPorts()
  web = `http://127.0.0.1:${ports.web}`
  api = `http://127.0.0.1:${ports.gateway}`
  stack = startStack(
    {
      root,
      ports,
      databaseUrl: testDatabaseUrl(),
      natsUrl: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
      namespace: `web_${randomBytes(4).toString('hex')}`,
      authDevMode: true,
      logLevel: 'warn',
      extraEnv: { DEV_SIGNING_KEY_PATH: join(mkdtempSync(join(tmpdir(), 'psa-web-e2e-')), 'dev-key.json') },
    },
    // A killed gateway stays down long enough for the outage test to see it.
    { write: (line) => output.push(line), stopTimeoutMs: 10_000, initialBackoffMs: 8_000 },
  )
  const [{ notReady }, launched] = await Promise.all([stack.ready(120_000), launchChromium()])
  browser = launched
  if (notReady.length > 0)
    throw new Error(`not ready: ${notReady.join(', ')}\n${output.slice(-40).join('\n')}`)
  context = await browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'en-US' })
  page = await context.newPage()
}, 180_000)

afterAll(async () => {
  await browser?.close()
  await stack?.stop()
}, 60_000)

describe('the web app in Chromium', () => {
  it('signs in with a demo user and shows the demo data on the dashboard', async () => {
    await page.goto(`${web}/`)
    await page.waitForURL(/\/sign-in\?next=/)
    await checkPage('sign-in')
    await page.getByRole('radio', { name: /manager@northwind\.example/ }).check()
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.waitForURL(`${web}/`)
    const d = await gateway<Dashboard>('/api/dashboard')
    const kpis = page.getByTestId('kpis')
    await expect.poll(() => kpis.textContent()).toContain(fmt.pct(d.utilisation.utilisation_pct))
    const text = (await kpis.textContent()) ?? ''
    expect(text).toContain(fmt.money(d.revenue.billable_value_minor))
    expect(text).toContain(fmt.money(d.revenue.margin_minor))
    expect(text).toContain(fmt.hours(d.utilisation.billable_hours))
    // The planted problems: NW-202 past 85% burn, NW-204's late milestone.
    const risks = page.getByRole('list', { name: 'Projects at risk' })
    await expect.poll(() => risks.textContent()).toContain('NW-202')
    expect(await risks.textContent()).toContain('UAT sign-off (release 1)')
    expect(await page.getByText(`Open resource requests (${d.open_resource_requests.count})`).count()).toBe(1)
    await page.locator('.recharts-surface').first().waitFor()
    await checkPage('dashboard')
  }, 90_000)

  it('lists projects and shows a project’s timeline with its critical path and milestones', async () => {
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Projects' }).click()
    await page.getByRole('table', { name: 'Projects' }).waitFor()
    await page.getByRole('searchbox', { name: 'Search' }).fill('care coordination')
    await checkPage('projects')
    await page.getByRole('link', { name: 'Care Coordination Portal' }).click()
    await page.waitForURL(/\/projects\/[0-9a-f-]{36}$/)
    await page
      .getByRole('heading', { name: 'Care Coordination Portal', level: 1 })
      .waitFor({ timeout: 60_000 })
    await page.getByTestId('gantt').locator('.bar-wrapper').first().waitFor()
    expect(await page.getByTestId('gantt').locator('.bar-wrapper').count()).toBeGreaterThan(5)
    expect(await page.getByTestId('gantt').locator('.psa-critical').count()).toBeGreaterThan(0)
    expect(await page.getByTestId('gantt').locator('.psa-milestone-late').count()).toBe(1)
    expect(await page.getByText('critical', { exact: false }).count()).toBeGreaterThan(0)
    await checkPage('project')
  }, 90_000)

  it('shows the capacity heatmap with the planted over-allocation, and a person', async () => {
    await page.goto(`${web}/resources`)
    const priya = page
      .getByRole('row')
      .filter({ has: page.getByRole('link', { name: 'Priya Raman' }) })
      .first()
    await priya.waitFor()
    expect(await priya.locator('td[data-over="true"]').count()).toBeGreaterThanOrEqual(1)
    await checkPage('resources')
    await priya.getByRole('link', { name: 'Priya Raman' }).click()
    await page.getByRole('heading', { name: 'Priya Raman', level: 1 }).waitFor()
    expect(await page.getByText('React').count()).toBeGreaterThan(0)
    await checkPage('person')
  }, 90_000)

  it('shows a quote with its lines, P50/P80/P90 and what changed between versions', async () => {
    await page.goto(`${web}/quotes`)
    await page.getByRole('table', { name: 'Quotes' }).waitFor()
    await checkPage('quotes')
    await page.getByRole('link', { name: 'Journey Planner UX Research' }).click()
    await page.getByRole('heading', { name: 'Journey Planner UX Research', level: 1 }).waitFor()
    expect(await page.getByText(/P90/).count()).toBeGreaterThan(0)
    await page.getByRole('heading', { name: /What changed from v2 to v3/ }).waitFor()
    await checkPage('quote')
  }, 90_000)

  it('runs a quotes request from the console, streams it to completion, applies and reverts its proposal live', async () => {
    const quotes = await context.newPage()
    await quotes.goto(`${web}/quotes`)
    await quotes.getByRole('table', { name: 'Quotes' }).waitFor()

    await page.goto(`${web}/agents`)
    await checkPage('agents')
    await page.getByRole('radio', { name: 'Quotes' }).check()
    await page
      .getByRole('textbox', { name: 'Request' })
      .fill(
        'Quote 200h senior dev + 80h design for Acme Retail Group at 30% margin, client rate card, 5% discount',
      )
    await page.getByRole('button', { name: 'Send to agent' }).click()
    await page.waitForURL(/\/agents\/[0-9a-f-]{36}$/)
    const sessionId = page.url().split('/').at(-1) as string
    const events = page.getByRole('list', { name: 'Agent events' })
    await events.locator('[data-event-type="final_result"]').waitFor({ timeout: 60_000 })
    expect(await events.locator('[data-event-type="tool_call_started"]').count()).toBeGreaterThan(0)
    await page.getByText('stream ended').waitFor()

    const { proposals } = await gateway<{ proposals: { id: string }[] }>(
      `/api/proposals?session_id=${sessionId}`,
    )
    expect(proposals).toHaveLength(1)
    const diff = await gateway<ProposalDiff>(`/api/proposals/${proposals[0]?.id}/diff`)
    const title = diff.operations.find((o) => o.table === 'quotes')?.label as string
    expect(title).toContain('Acme Retail Group')
    await page.getByRole('button', { name: 'Apply' }).click()
    await page.getByText(/^Applied: /).waitFor()
    // The other tab learns of it from the change feed, without a reload.
    await quotes.getByRole('link', { name: title }).waitFor({ timeout: 15_000 })
    await checkPage('agent-session')
    await page.getByRole('button', { name: 'Revert' }).click()
    await page.getByText(/^Reverted: /).waitFor()
    await expect.poll(() => quotes.getByRole('link', { name: title }).count(), { timeout: 15_000 }).toBe(0)
    await quotes.close()
  }, 90_000)

  it('resumes a session’s stream after a reload where it stopped (Last-Event-ID)', async () => {
    const sessionId = page.url().split('/').at(-1) as string
    const key = `psa:session-events:${sessionId}`
    const all = await page.evaluate(
      (k) => JSON.parse(sessionStorage.getItem(k) ?? '[]') as { seq: number }[],
      key,
    )
    expect(all.length).toBeGreaterThan(4)
    await page.evaluate(
      ([k, kept]) => sessionStorage.setItem(k as string, kept as string),
      [key, JSON.stringify(all.slice(0, 3))],
    )
    const resumed = page.waitForRequest((r) => r.url().endsWith(`/api/sessions/${sessionId}/events`))
    await page.reload()
    expect((await resumed).headers()['last-event-id']).toBe('3')
    await page.getByText('stream ended').waitFor()
    const after = await page.evaluate(
      (k) => JSON.parse(sessionStorage.getItem(k) ?? '[]') as { seq: number }[],
      key,
    )
    expect(after.map((e) => e.seq)).toEqual(all.map((e) => e.seq))
    expect(
      await page.getByRole('list', { name: 'Agent events' }).getByRole('listitem').count(),
    ).toBeGreaterThan(3)
  }, 90_000)

  it('shows an orchestrator run’s delegated sessions as a tree that fills in live', async () => {
    await page.goto(`${web}/agents`)
    await page.getByRole('radio', { name: 'Orchestrator' }).check()
    await page
      .getByRole('textbox', { name: 'Request' })
      .fill(
        'Set up, staff and quote a 12-week website rebuild for Acme Retail Group starting 5 Jan, budget $150k, at 30% margin',
      )
    await page.getByRole('button', { name: 'Send to agent' }).click()
    await page.waitForURL(/\/agents\/[0-9a-f-]{36}$/)
    const parentId = page.url().split('/').at(-1) as string
    // No reload from here on: the tree grows as the orchestrator delegates and its children finish.
    const tree = page
      .getByRole('region', { name: 'Delegated to' })
      .getByRole('list', { name: 'Delegated sessions' })
    const children = tree.getByRole('listitem')
    await children.first().waitFor({ timeout: 60_000 })
    // The first delegation shows while the run is still going.
    expect(await page.getByText('stream ended').count()).toBe(0)
    await expect
      .poll(() => children.getByText('completed', { exact: true }).count(), { timeout: 90_000 })
      .toBe(3)
    expect(await children.getByRole('link').allTextContents()).toEqual([
      'Project manager',
      'Resource manager',
      'Quotes',
    ])
    await page.getByText('stream ended').waitFor({ timeout: 30_000 })
    const { sessions } = await gateway<{
      sessions: { session_id: string; parent_session_id: string | null }[]
    }>('/api/sessions?page_size=50&include_children=true')
    expect(sessions.filter((s) => s.parent_session_id === parentId)).toHaveLength(3)
    // The history nests the run's children under it too.
    const history = page.getByRole('region', { name: 'History' })
    const run = history.getByRole('listitem').filter({ has: page.locator(`a[href="/agents/${parentId}"]`) })
    expect(await run.getByRole('list', { name: 'Delegated sessions' }).getByRole('link').count()).toBe(3)
    await checkPage('orchestrator-run')

    await children.getByRole('link', { name: 'Quotes' }).click()
    await page.waitForURL((url) => !url.pathname.endsWith(parentId))
    await page.getByRole('link', { name: "the orchestrator's run" }).click()
    await page.waitForURL((url) => url.pathname.endsWith(parentId))
  }, 180_000)

  it('types the gateway’s answers as the running gateway documents them (npm run web:api-types)', async () => {
    const document = (await (await fetch(`${api}/openapi.json`)).json()) as object
    expect(await apiTypesSource(document)).toBe(readFileSync(join(root, API_TYPES_PATH), 'utf8'))
  })

  it('says clearly that the backend is unreachable when the gateway is down', async () => {
    const pid = stack.supervisor.pid('gateway')
    expect(pid).toBeDefined()
    process.kill(pid as number, 'SIGKILL')
    await expect
      .poll(() =>
        fetch(`${api}/healthz`).then(
          () => 'up',
          () => 'down',
        ),
      )
      .toBe('down')
    await page.goto(`${web}/`)
    await page
      .getByRole('alert')
      .filter({ hasText: 'The backend is unreachable' })
      .first()
      .waitFor({ timeout: 15_000 })
    await checkPage('gateway-down')
  }, 90_000)
})
