import { join } from 'node:path'
import ts from 'typescript'
import type { KubeObject } from './helm.js'
import { REPO_ROOT } from './workspaces.js'

/**
 * Validates rendered objects against the Kubernetes API schemas (kubernetes-models, generated from the
 * Kubernetes OpenAPI document) and KEDA's (@kubernetes-models/keda, generated from KEDA's API types), with
 * unknown fields rejected, in two passes:
 *
 * - the packages' runtime validators check types, required fields and formats by kind;
 * - the packages' TypeScript declarations check every field name: each object is compiled as a literal of its
 *   kind's interface, and TypeScript's excess-property check rejects a field the API does not have (what
 *   `kubectl --validate=strict` does against a server), naming the closest real one.
 */

export interface SchemaProblem {
  /** `Deployment/psa-gateway` plus the set the object came from. */
  object: string
  /** Path inside the object, e.g. `spec.template.spec.containers[0]`. */
  path: string
  message: string
}

export interface LabelledObject {
  /** Where the object came from (a value set's name). */
  source: string
  object: KubeObject
}

/** The package module declaring a kind, e.g. `kubernetes-models/apps/v1/Deployment`. */
function modelModule({ apiVersion, kind }: KubeObject): string {
  if (apiVersion.startsWith('keda.sh/')) return `@kubernetes-models/keda/${apiVersion}/${kind}`
  return `kubernetes-models/${apiVersion}/${kind}`
}

function describe(item: LabelledObject): string {
  return `${item.object.kind}/${item.object.metadata?.name} (${item.source})`
}

async function runtimeProblems(item: LabelledObject): Promise<SchemaProblem[]> {
  let Model: new (data: unknown) => { validate(): void }
  try {
    const mod = (await import(modelModule(item.object))) as Record<string, typeof Model>
    const found = mod[item.object.kind]
    if (!found) throw new Error('no model')
    Model = found
  } catch {
    return [
      {
        object: describe(item),
        path: '',
        message: `no schema for ${item.object.apiVersion} ${item.object.kind}`,
      },
    ]
  }
  try {
    new Model(item.object).validate()
    return []
  } catch (err) {
    return [{ object: describe(item), path: '', message: (err as Error).message }]
  }
}

// Plain identifiers stay unquoted: TypeScript then suggests the real field for a misspelt one.
const propertyName = (key: string) => (/^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key))

interface Printed {
  lines: string[]
  /** The object path each line prints (a property's line carries that property's path). */
  paths: string[]
}

/** Prints a value as a TypeScript literal, one property or element per line. */
function printLiteral(
  value: unknown,
  path: string,
  indent: string,
  out: Printed,
  prefix: string,
  suffix: string,
) {
  const line = (text: string) => {
    out.lines.push(`${indent}${text}`)
    out.paths.push(path)
  }
  if (value === null || typeof value !== 'object') {
    line(`${prefix}${JSON.stringify(value)}${suffix}`)
    return
  }
  const entries: [string, unknown, string][] = Array.isArray(value)
    ? value.map((v, i) => [`${path}[${i}]`, v, ''])
    : Object.entries(value).map(([k, v]) => [path ? `${path}.${k}` : k, v, `${propertyName(k)}: `])
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}']
  if (entries.length === 0) {
    line(`${prefix}${open}${close}${suffix}`)
    return
  }
  line(`${prefix}${open}`)
  for (const [at, v, key] of entries) printLiteral(v, at, `${indent}  `, out, key, ',')
  line(`${close}${suffix}`)
}

/** Both passes over every object; an empty list means every object is valid. */
export async function validateObjects(items: LabelledObject[]): Promise<SchemaProblem[]> {
  const problems: SchemaProblem[] = []
  for (const item of items) problems.push(...(await runtimeProblems(item)))
  problems.push(...strictFieldProblems(items))
  return problems
}

/** The excess-property pass: one TypeScript program for all objects. */
export function strictFieldProblems(items: LabelledObject[]): SchemaProblem[] {
  const file = join(REPO_ROOT, 'packages', 'deploy-checks', 'src', '__rendered_objects__.ts')
  const source: string[] = []
  const owners: { item: LabelledObject; from: number; lineToPath: string[] }[] = []
  items.forEach((item, i) => {
    source.push(`import type { I${item.object.kind} as T${i} } from '${modelModule(item.object)}'`)
  })
  items.forEach((item, i) => {
    const printed: Printed = { lines: [], paths: [] }
    printLiteral(item.object, '', '', printed, `export const o${i}: T${i} = `, '')
    owners.push({ item, from: source.length, lineToPath: printed.paths })
    source.push(...printed.lines)
  })
  const text = `${source.join('\n')}\n`
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    types: [],
  }
  const host = ts.createCompilerHost(options)
  const getSourceFile = host.getSourceFile.bind(host)
  host.getSourceFile = (name, language, ...rest) =>
    name === file ? ts.createSourceFile(name, text, language, true) : getSourceFile(name, language, ...rest)
  const fileExists = host.fileExists.bind(host)
  host.fileExists = (name) => name === file || fileExists(name)
  const program = ts.createProgram([file], options, host)
  const sourceFile = program.getSourceFile(file)
  const problems: SchemaProblem[] = []
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const message = ts.flattenDiagnosticMessageText(d.messageText, '\n')
    if (d.file !== sourceFile || d.start === undefined || !sourceFile) {
      problems.push({ object: '(compiler)', path: '', message })
      continue
    }
    const { line } = sourceFile.getLineAndCharacterOfPosition(d.start)
    const owner = [...owners].reverse().find((o) => o.from <= line)
    if (!owner) {
      problems.push({ object: '(imports)', path: '', message })
      continue
    }
    problems.push({ object: describe(owner.item), path: owner.lineToPath[line - owner.from] ?? '', message })
  }
  return problems
}
