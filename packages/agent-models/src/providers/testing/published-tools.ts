import { Ajv2020 } from 'ajv/dist/2020.js'
import type { ProviderWire } from './scripted-provider.js'
import type { PublishedTool } from './wire-requests.js'

/**
 * What a provider would refuse, or a model would misread, in a tool definition as it went over the wire.
 * The rules are the providers' documented ones, plus a portable subset of JSON Schema: OpenAI, Anthropic and
 * Bedrock (and the OpenAI-compatible servers: Ollama, vLLM) all take these keywords, while references
 * (`$ref`/`$defs`), conditionals and the like are resolved by some and rejected or ignored by others.
 */

/** OpenAI functions, Anthropic tools and Bedrock toolSpecs all document this name pattern. */
const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/

const PORTABLE_KEYWORDS = new Set([
  'type',
  'properties',
  'required',
  'additionalProperties',
  'items',
  'enum',
  'const',
  'description',
  'title',
  'default',
  'format',
  'pattern',
  'minLength',
  'maxLength',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minItems',
  'maxItems',
  'uniqueItems',
  'anyOf',
  'examples',
])

/** Strict Ajv: an unknown keyword or a malformed schema fails to compile. Formats are not checked here. */
const ajv = new Ajv2020({ strict: true, strictRequired: false, validateFormats: false, allErrors: true })

function walk(schema: unknown, path: string, visit: (node: Record<string, unknown>, path: string) => void) {
  if (!schema || typeof schema !== 'object' || Array.isArray(schema)) return
  const node = schema as Record<string, unknown>
  visit(node, path)
  for (const [name, sub] of Object.entries((node.properties ?? {}) as Record<string, unknown>))
    walk(sub, `${path}.${name}`, visit)
  if (node.items) walk(node.items, `${path}[]`, visit)
  if (node.additionalProperties && typeof node.additionalProperties === 'object')
    walk(node.additionalProperties, `${path}{}`, visit)
  for (const [i, sub] of (Array.isArray(node.anyOf) ? node.anyOf : []).entries())
    walk(sub, `${path}|${i}`, visit)
}

export function publishedToolProblems(wire: ProviderWire, tool: PublishedTool): string[] {
  const problems: string[] = []
  const where = `${wire} ${tool.name}`
  if (!TOOL_NAME.test(tool.name)) problems.push(`${where}: the name does not match ${TOOL_NAME}`)
  if (tool.description.trim().length === 0) problems.push(`${where}: no description`)
  const schema = tool.schema
  if (schema.type !== 'object') problems.push(`${where}: the input schema's top level is not type "object"`)
  if (!schema.properties || typeof schema.properties !== 'object')
    problems.push(`${where}: the input schema has no properties object`)
  for (const key of ['anyOf', 'oneOf', 'allOf', 'not', 'enum', '$ref'])
    if (key in schema) problems.push(`${where}: a top-level ${key} (providers want a plain object)`)
  if ('$schema' in schema && wire === 'bedrock')
    problems.push(`${where}: $schema in a Bedrock input schema (Converse refuses it for some models)`)
  walk(schema, 'input', (node, path) => {
    for (const key of Object.keys(node)) {
      if (key === '$schema' && path === 'input') continue
      if (!PORTABLE_KEYWORDS.has(key)) problems.push(`${where}: ${path} uses "${key}", not portable`)
    }
    if (node.type === 'object' && node.properties && Array.isArray(node.required)) {
      for (const name of node.required as string[])
        if (!(name in (node.properties as object)))
          problems.push(`${where}: ${path} requires "${name}", which it does not define`)
    }
  })
  try {
    const { $schema: _ignored, ...rest } = schema
    ajv.compile(rest)
  } catch (err) {
    problems.push(`${where}: not a valid JSON Schema (${(err as Error).message})`)
  }
  return problems
}

/** Whether `input` is what the published schema accepts (the check a careful model makes). */
export function acceptsInput(tool: PublishedTool, input: unknown): string | null {
  const { $schema: _ignored, ...rest } = tool.schema
  const validate = ajv.compile(rest)
  return validate(input) ? null : ajv.errorsText(validate.errors, { dataVar: 'input' })
}
