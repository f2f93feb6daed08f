import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, it } from 'vitest'
import { isMap, isScalar, parseDocument, type YAMLMap } from 'yaml'
import { type KubeObject, lintChart, renderChart, renderNotes } from './helm.js'
import { type LabelledObject, validateObjects } from './kube-schema.js'
import { VALUE_SETS } from './value-sets.js'
import { REPO_ROOT } from './workspaces.js'

const rendered = new Map<string, KubeObject[]>()

beforeAll(async () => {
  const all = await Promise.all(VALUE_SETS.map((set) => renderChart(set)))
  VALUE_SETS.forEach((set, i) => {
    rendered.set(set.name, all[i] ?? [])
  })
  rendered.set('dev-postgres', await renderChart({ chart: 'k8s/dev-postgres', namespace: 'psa-dev' }))
}, 120_000)

describe('helm lint --strict', () => {
  it.each(VALUE_SETS)('passes with the $name values', async (set) => {
    const result = await lintChart(set)
    expect(result.stderr + result.stdout).not.toMatch(/\[(WARNING|ERROR)\]/)
    expect(result.code).toBe(0)
  })

  it('passes for the kind dev Postgres chart', async () => {
    const result = await lintChart({ chart: 'k8s/dev-postgres' })
    expect(result.stderr + result.stdout).not.toMatch(/\[(WARNING|ERROR)\]/)
    expect(result.code).toBe(0)
  })
})

describe('rendered objects', () => {
  it('every object of every value set matches the Kubernetes and KEDA schemas, unknown fields rejected', async () => {
    const items: LabelledObject[] = [...rendered].flatMap(([source, objects]) =>
      objects.map((object) => ({ source, object })),
    )
    expect(items.length).toBeGreaterThan(200)
    expect(await validateObjects(items)).toEqual([])
  }, 120_000)

  it('the schema check catches a misspelt field, a wrong type and a misspelt KEDA field', async () => {
    const objects = structuredClone(rendered.get('defaults') ?? [])
    const deployment = objects.find((o) => o.kind === 'Deployment') as KubeObject & {
      spec: { replicas?: unknown; template: { spec: { containers: Record<string, unknown>[] } } }
    }
    const container = deployment.spec.template.spec.containers[0] as Record<string, unknown>
    container.readinesProbe = container.readinessProbe
    delete container.readinessProbe
    deployment.spec.replicas = 'two'
    const scaled = objects.find((o) => o.kind === 'ScaledObject') as KubeObject & {
      spec: Record<string, unknown>
    }
    scaled.spec.minReplicaCont = 1
    const problems = await validateObjects(
      [deployment, scaled].map((object) => ({ source: 'tampered', object })),
    )
    const text = JSON.stringify(problems)
    expect(text).toContain('readinesProbe')
    expect(text).toContain('readinessProbe')
    expect(text).toContain('spec.replicas')
    expect(text).toContain('minReplicaCont')
  }, 60_000)
})

describe('NOTES.txt', () => {
  it('tells how to reach the app and how each agent scales, and warns when the Secret settings are missing', async () => {
    const defaults = await renderNotes()
    expect(defaults).toContain('neither secrets.existingSecret nor secrets.databaseUrl is set')
    expect(defaults).toContain('psa-agent-quotes: keda on consumer psa_agent_quotes')
    expect(defaults).toContain('helm test psa')
    const production = await renderNotes({ valuesFiles: ['k8s/production-values.yaml'] })
    expect(production).not.toContain('WARNING')
    expect(production).toContain('https://psa.example.com/')
    const dev = await renderNotes({ valuesFiles: ['k8s/dev-values.yaml'], namespace: 'psa-dev' })
    expect(dev).toContain('Development sign-in is ON')
    expect(dev).toContain('psa-agent-project: none')
  })
})

describe('values', () => {
  it.each([
    ['web.replicaz=3', "'replicaz' not allowed"],
    ['agents.project.scaling.lagTreshold=5', "'lagTreshold' not allowed"],
    ['gatway.port=1', "'gatway' not allowed"],
    ['agents.quotes.scaling.mode=auto', 'mode'],
    ['containerSecurityContext.readOnlyRootFilesystem=false', 'readOnlyRootFilesystem'],
  ])('values.schema.json rejects %s', async (setting, message) => {
    const [key = '', value = ''] = setting.split('=')
    await expect(renderChart({ set: { [key]: value } })).rejects.toThrow(message)
  })

  it('refuses development sign-in with NODE_ENV=production and with several gateways sharing no key', async () => {
    await expect(
      renderChart({
        set: { 'gateway.devAuth.enabled': true, 'gateway.autoscaling.enabled': false, 'gateway.replicas': 1 },
      }),
    ).rejects.toThrow('config.nodeEnv other than production')
    await expect(
      renderChart({ set: { 'gateway.devAuth.enabled': true, 'config.nodeEnv': 'development' } }),
    ).rejects.toThrow('one gateway replica')
  })

  it('every value in values.yaml is documented and typed in values.schema.json', () => {
    const doc = parseDocument(readFileSync(join(REPO_ROOT, 'helm', 'values.yaml'), 'utf8'))
    const schema = JSON.parse(readFileSync(join(REPO_ROOT, 'helm', 'values.schema.json'), 'utf8')) as Schema
    const undocumented: string[] = []
    const untyped: string[] = []
    const walk = (map: YAMLMap, path: string, node: Schema | undefined) => {
      map.items.forEach((pair, index) => {
        const key = isScalar(pair.key) ? String(pair.key.value) : ''
        const at = path ? `${path}.${key}` : key
        const declared = node?.properties?.[key]
        const child = resolve(schema, declared)
        if (!child) untyped.push(at)
        const leaf = !isMap(pair.value) || isLeaf(declared, child)
        // yaml attaches the comment above a map's first key to the map itself.
        const comment =
          (isScalar(pair.key) ? pair.key.commentBefore : undefined) ??
          (index === 0 ? map.commentBefore : undefined)
        if (leaf && !comment?.includes('--')) undocumented.push(at)
        if (!leaf && isMap(pair.value)) walk(pair.value, at, child)
      })
      for (const key of Object.keys(node?.properties ?? {})) {
        if (!map.has(key)) undocumented.push(`${path}.${key} (in the schema, missing from values.yaml)`)
      }
    }
    expect(isMap(doc.contents)).toBe(true)
    walk(doc.contents as YAMLMap, '', schema)
    expect(undocumented).toEqual([])
    expect(untyped).toEqual([])
  })
})

interface Schema {
  $ref?: string
  properties?: Record<string, Schema>
  additionalProperties?: boolean | Schema
  $defs?: Record<string, Schema>
}

function resolve(root: Schema, node: Schema | undefined): Schema | undefined {
  if (!node?.$ref) return node
  const name = node.$ref.replace('#/$defs/', '')
  return resolve(root, root.$defs?.[name])
}

/**
 * Values documented as a whole: maps whose keys are the user's (extraEnv, annotations, selectors) and resource
 * quantities (requests, limits).
 */
function isLeaf(declared: Schema | undefined, node: Schema | undefined): boolean {
  return !node?.properties || declared?.$ref === '#/$defs/quantities'
}
