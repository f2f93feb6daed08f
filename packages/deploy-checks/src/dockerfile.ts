import { readFileSync } from 'node:fs'
import { type Copy, DockerfileParser, type Env, type Instruction, type JSONInstruction } from 'dockerfile-ast'

export interface CopyStep {
  /** The stage copied from, or undefined for the build context. */
  from?: string
  sources: string[]
  destination: string
  line: number
}

export interface Stage {
  name?: string
  /** The image after ARG defaults are substituted (`node:24.21.0-trixie-slim`). */
  image: string
  copies: CopyStep[]
  runs: string[]
  env: Record<string, string>
  user?: string
  workdir?: string
  entrypoint?: string[]
  cmd?: string[]
  expose: number[]
}

export interface ParsedDockerfile {
  /** The `# syntax=` parser directive, if any. */
  syntax?: string
  stages: Stage[]
  /** The stage an image is built from when no target is given: the last one. */
  final: Stage
}

function jsonArgs(instruction: Instruction): string[] {
  const json = (instruction as JSONInstruction).getJSONStrings?.()
  if (!json || json.length === 0) {
    throw new Error(
      `line ${instruction.getRange().start.line + 1}: ${instruction.getKeyword()} must use the JSON form`,
    )
  }
  return json.map((s) => s.getJSONValue())
}

/** The instructions of a Dockerfile, grouped by stage, with what the checks look at. */
export function parseDockerfile(text: string): ParsedDockerfile {
  const dockerfile = DockerfileParser.parse(text)
  const argDefaults = new Map<string, string>()
  for (const arg of dockerfile.getInitialARGs()) {
    const property = arg.getProperty()
    const name = property?.getName()
    const value = property?.getValue()
    if (name && value) argDefaults.set(name, value)
  }
  const substitute = (value: string) =>
    value.replace(
      /\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g,
      (whole, name: string) => argDefaults.get(name) ?? whole,
    )

  const stages: Stage[] = []
  let stage: Stage | undefined
  for (const instruction of dockerfile.getInstructions()) {
    const keyword = instruction.getKeyword()
    const line = instruction.getRange().start.line + 1
    const args = instruction.getArguments().map((a) => a.getValue())
    if (keyword === 'FROM') {
      stage = { image: substitute(args[0] ?? ''), copies: [], runs: [], env: {}, expose: [] }
      if (args[1]?.toUpperCase() === 'AS' && args[2]) stage.name = args[2]
      stages.push(stage)
      continue
    }
    if (!stage) continue
    switch (keyword) {
      case 'COPY': {
        // getArguments() leaves the flags (--from, --chown, ...) out.
        const plain = args
        const from = (instruction as Copy).getFromFlag?.()?.getValue() ?? undefined
        stage.copies.push({
          ...(from ? { from } : {}),
          sources: plain.slice(0, -1),
          destination: plain.at(-1) ?? '',
          line,
        })
        break
      }
      case 'RUN':
        stage.runs.push(instruction.getArgumentsContent() ?? '')
        break
      case 'ENV':
        for (const property of (instruction as Env).getProperties()) {
          stage.env[property.getName()] = property.getValue() ?? ''
        }
        break
      case 'USER':
        stage.user = args[0]
        break
      case 'WORKDIR':
        stage.workdir = args[0]
        break
      case 'ENTRYPOINT':
        stage.entrypoint = jsonArgs(instruction)
        break
      case 'CMD':
        stage.cmd = jsonArgs(instruction)
        break
      case 'EXPOSE':
        stage.expose.push(...args.map((a) => Number.parseInt(a, 10)))
        break
    }
  }
  const final = stages.at(-1)
  if (!final) throw new Error('no FROM instruction')
  const syntax = dockerfile
    .getDirectives()
    .find((d) => d.getName() === 'syntax')
    ?.getValue()
  return { ...(syntax ? { syntax } : {}), stages, final }
}

export function readDockerfile(path: string): ParsedDockerfile {
  return parseDockerfile(readFileSync(path, 'utf8'))
}
