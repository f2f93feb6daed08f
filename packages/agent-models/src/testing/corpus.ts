import type { ToolSpec } from '@strands-agents/sdk'
import { describe, expect, it } from 'vitest'
import { z } from 'zod'
import { requestContextSchema } from '../context.js'
import type { Playbook, PlaybookDecision } from '../offline/playbook.js'
import { checkToolInput } from '../offline/tool-input-validation.js'
import type { AgentType } from '../understanding/schema.js'
import { understand } from '../understanding/understand.js'

/**
 * A request corpus: how people really ask, with what a good agent does on the first turn. A case passes when
 * the playbook calls the expected tool with (at least) the expected input, valid against the tool's schema, or,
 * for a request it should not act on, answers without calling anything and says what it needs.
 */
export type CorpusExpectation = { tool: string; input?: Record<string, unknown> } | { ask: RegExp }

export interface CorpusCase {
  request: string
  expect: CorpusExpectation
  /** Extra context keys (what the web app sends with the request). */
  context?: Record<string, unknown>
}

/** What a corpus needs of a tool: its name, description and zod input schema (an `AgentTool` fits). */
export interface CorpusTool {
  name: string
  description: string
  inputSchema: z.ZodType
}

export interface CorpusOutcome {
  request: string
  passed: boolean
  why: string
  decision: PlaybookDecision
}

export function toolSpecs(tools: readonly CorpusTool[]): ToolSpec[] {
  return tools.map((t) => ({
    name: t.name,
    description: t.description,
    inputSchema: z.toJSONSchema(t.inputSchema, {
      io: 'input',
      unrepresentable: 'any',
    }) as ToolSpec['inputSchema'],
  }))
}

/** Whether `actual` holds every key of `expected` with an equal value (objects compared the same way). */
function contains(actual: unknown, expected: unknown): boolean {
  if (expected instanceof RegExp) return typeof actual === 'string' && expected.test(actual)
  if (Array.isArray(expected)) {
    return (
      Array.isArray(actual) &&
      actual.length === expected.length &&
      expected.every((e, i) => contains(actual[i], e))
    )
  }
  if (expected && typeof expected === 'object') {
    if (!actual || typeof actual !== 'object') return false
    return Object.entries(expected).every(([k, v]) => contains((actual as Record<string, unknown>)[k], v))
  }
  return Object.is(actual, expected)
}

function describeDecision(decision: PlaybookDecision): string {
  if (decision.type === 'final') return `answered "${decision.text.slice(0, 160)}"`
  return `called ${decision.calls.map((c) => `${c.name}(${JSON.stringify(c.input)})`).join(', ')}`
}

export function runCase(
  testCase: CorpusCase,
  options: {
    playbook: Playbook
    tools: readonly CorpusTool[]
    context: Record<string, unknown>
    agentType: AgentType
  },
): CorpusOutcome {
  const rawContext = { ...options.context, ...testCase.context }
  const context = requestContextSchema.parse(rawContext)
  const tools = toolSpecs(options.tools)
  const understanding = understand(testCase.request, rawContext, { agentType: options.agentType })
  const decision = options.playbook({
    request: testCase.request,
    agentType: options.agentType,
    context,
    rawContext,
    understanding,
    tools,
    steps: [],
  })
  const outcome = (passed: boolean, why: string): CorpusOutcome => ({
    request: testCase.request,
    passed,
    why: passed ? why : `${why}; it ${describeDecision(decision)}`,
    decision,
  })
  const expected = testCase.expect
  if ('ask' in expected) {
    if (decision.type !== 'final') return outcome(false, 'expected a question, not a tool call')
    return expected.ask.test(decision.text)
      ? outcome(true, 'asked')
      : outcome(false, `expected the answer to match ${expected.ask}`)
  }
  if (decision.type !== 'tools') return outcome(false, `expected a call of ${expected.tool}`)
  const call = decision.calls.find((c) => c.name === expected.tool)
  if (!call) return outcome(false, `expected a call of ${expected.tool}`)
  const spec = tools.find((t) => t.name === call.name)
  const invalid = spec ? checkToolInput(spec, call.input) : `no tool named ${call.name}`
  if (invalid) return outcome(false, `invalid input: ${invalid}`)
  if (expected.input && !contains(call.input, expected.input)) {
    return outcome(false, `expected input ${JSON.stringify(expected.input)}`)
  }
  return outcome(true, 'called')
}

export interface CorpusReport {
  total: number
  passed: number
  rate: number
  failures: CorpusOutcome[]
  outcomes: CorpusOutcome[]
}

export function runCorpus(
  cases: readonly CorpusCase[],
  options: Parameters<typeof runCase>[1],
): CorpusReport {
  const outcomes = cases.map((c) => runCase(c, options))
  const passed = outcomes.filter((o) => o.passed).length
  return {
    total: outcomes.length,
    passed,
    rate: outcomes.length === 0 ? 0 : passed / outcomes.length,
    failures: outcomes.filter((o) => !o.passed),
    outcomes,
  }
}

/** A report line for test output: "project corpus: 44/46 (95.7%)" and one line per failure. */
export function formatCorpusReport(name: string, report: CorpusReport): string {
  const head = `${name} corpus: ${report.passed}/${report.total} (${(report.rate * 100).toFixed(1)}%)`
  return [head, ...report.failures.map((f) => `  FAIL "${f.request}": ${f.why}`)].join('\n')
}

interface NamedRow {
  id: string
  organisation_id: string
  name: string
}

/** The rows the runtime reads to build a model's context (see agent-runtime's buildModelContext). */
export interface OrganisationRows {
  clients: readonly NamedRow[]
  projects: readonly (NamedRow & { code: string; client_id: string })[]
  people: readonly { id: string; organisation_id: string; full_name: string; active?: boolean }[]
  roles: readonly NamedRow[]
  skills: readonly NamedRow[]
}

/** The model context the runtime would build for `organisationId`, from rows in memory (e.g. the demo data). */
export function organisationContext(
  rows: OrganisationRows,
  organisationId: string,
  extra: { today: string; currency: string; autoApplyAllowed?: boolean },
): Record<string, unknown> {
  const mine = <T extends { organisation_id: string }>(list: readonly T[]) =>
    list.filter((r) => r.organisation_id === organisationId)
  return {
    today: extra.today,
    currency: extra.currency,
    clients: mine(rows.clients).map((c) => ({ id: c.id, name: c.name })),
    projects: mine(rows.projects).map((p) => ({
      id: p.id,
      name: p.name,
      aliases: [p.code],
      clientId: p.client_id,
    })),
    people: mine(rows.people)
      .filter((p) => p.active !== false)
      .map((p) => ({ id: p.id, name: p.full_name })),
    roles: mine(rows.roles).map((r) => r.name),
    skills: mine(rows.skills).map((s) => s.name),
    autoApplyAllowed: extra.autoApplyAllowed ?? true,
  }
}

/** Looks up ids in a model context by name or alias, for writing corpus expectations ("the id of NW-204"). */
export function contextIds(context: Record<string, unknown>) {
  const find = (list: unknown, pattern: RegExp) => {
    const hit = ((list ?? []) as { id: string; name: string; aliases?: string[] }[]).find(
      (e) => pattern.test(e.name) || e.aliases?.some((a) => pattern.test(a)),
    )
    if (!hit) throw new Error(`nothing matches ${pattern} in the context`)
    return hit.id
  }
  return {
    client: (pattern: RegExp) => find(context.clients, pattern),
    project: (pattern: RegExp) => find(context.projects, pattern),
    person: (pattern: RegExp) => find(context.people, pattern),
  }
}

/** The model context for the demo firm's rows (the demo data's tables), as of `today`, in USD. */
export function demoModelContext(tables: OrganisationRows, organisationId: string, today: string) {
  const context = organisationContext(tables, organisationId, { today, currency: 'USD' })
  return { context, ...contextIds(context) }
}

/**
 * What a real provider would reject or misread in the tools' published schemas: OpenAI, Anthropic and Bedrock
 * all want an object schema at the top (no top-level unions), and a model picks tools by their descriptions.
 */
export function toolSchemaProblems(tools: readonly CorpusTool[]): string[] {
  const problems: string[] = []
  for (const spec of toolSpecs(tools)) {
    const schema = spec.inputSchema as Record<string, unknown> | undefined
    if (!/^[a-z][a-z0-9_]{2,63}$/.test(spec.name)) problems.push(`${spec.name}: not a snake_case tool name`)
    if (spec.description.length < 60) problems.push(`${spec.name}: the description is too short to choose by`)
    if (schema?.type !== 'object') problems.push(`${spec.name}: the input schema is not an object`)
    for (const key of ['anyOf', 'oneOf', 'allOf'])
      if (schema && key in schema) problems.push(`${spec.name}: a top-level ${key}`)
    const properties = (schema?.properties ?? {}) as Record<string, unknown>
    for (const name of Object.keys(properties))
      if (!/^[a-z][a-z0-9_]*$/.test(name)) problems.push(`${spec.name}.${name}: not a snake_case property`)
  }
  return problems
}

/** An agent's corpus: how people ask it, what it must do first, and what it runs with (tools, context). */
export interface AgentCorpus {
  name: string
  cases: readonly CorpusCase[]
  options: Parameters<typeof runCase>[1] & { minRate?: number }
}

/** Runs a corpus as one vitest test that prints the pass rate and fails below `minRate` (default 90%). */
export function corpusTest({ name, cases, options }: AgentCorpus): void {
  describe(`${name} agent corpus`, () => {
    it(`handles at least ${Math.round((options.minRate ?? 0.9) * 100)}% of ${cases.length} requests as people write them`, () => {
      const report = runCorpus(cases, options)
      console.log(formatCorpusReport(name, report))
      expect(cases.length).toBeGreaterThanOrEqual(40)
      expect(report.rate).toBeGreaterThanOrEqual(options.minRate ?? 0.9)
    })
    it('publishes tool schemas a real provider accepts (object inputs, snake_case, descriptive)', () => {
      expect(toolSchemaProblems(options.tools)).toEqual([])
    })
  })
}
