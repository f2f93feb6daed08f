import type { JSONValue, ToolSpec } from '@strands-agents/sdk'
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js'

/**
 * Checks a tool call against the tool's input JSON schema before the model emits it, the way a careful LLM
 * would, so a playbook bug shows up as a clear message instead of a failed tool call. Zod tools publish
 * draft 2020-12 schemas; hand-written ones are usually compatible.
 */
const ajv = new Ajv2020({
  allErrors: true,
  strict: false,
  validateFormats: false,
  // Checking each tool schema against the draft 2020-12 meta-schema first compiled that meta-schema, about
  // 160 ms of a worker's first requests, for schemas zod generated. Ajv's keywords still reject a malformed
  // schema as it compiles ("required value must be array"), so such a tool still gets a clear answer.
  validateSchema: false,
})
const cache = new Map<string, ValidateFunction | Error>()
/**
 * Validators by schema object, in front of the by-content cache: the same spec object is checked more
 * than once per turn (every call of a step, a forced tool's result and its fitted retry), and serialising
 * the whole schema to find its validator each time cost more than validating. The SDK hands the model
 * fresh copies of the specs every turn, so the content key still finds the compiled validator then.
 */
const bySchema = new WeakMap<object, ValidateFunction | Error>()

function validatorFor(schema: object): ValidateFunction | Error {
  const known = bySchema.get(schema)
  if (known) return known
  const key = JSON.stringify(schema)
  let validator = cache.get(key)
  if (!validator) {
    const { $schema: _ignored, ...rest } = schema as Record<string, unknown>
    try {
      validator = ajv.compile(rest)
    } catch (err) {
      validator = err instanceof Error ? err : new Error(String(err))
    }
    cache.set(key, validator)
  }
  bySchema.set(schema, validator)
  return validator
}

/** Returns null when the input is acceptable, else a human-readable reason. */
export function checkToolInput(spec: ToolSpec, input: JSONValue): string | null {
  if (!spec.inputSchema) return null
  const validator = validatorFor(spec.inputSchema)
  if (validator instanceof Error) return `its input schema could not be compiled (${validator.message})`
  if (validator(input)) return null
  return ajv.errorsText(validator.errors, { dataVar: 'input', separator: '; ' })
}
