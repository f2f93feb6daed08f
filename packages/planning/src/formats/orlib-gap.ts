import type { AssignmentProblemInput } from '../assign/model.js'
import { FormatError } from './format-error.js'

/**
 * OR-Library GAP files (Beasley 1990): "m n", the m×n cost matrix, the m×n resource matrix, the m
 * capacities, whitespace separated (line breaks carry no meaning). One problem per file; the objective is
 * the caller's choice.
 */
export function parseOrlibGap(text: string, objective: 'min' | 'max'): AssignmentProblemInput {
  const tokens: { value: number; line: number }[] = []
  text.split(/\r?\n/).forEach((l, k) => {
    for (const t of l.trim().split(/\s+/)) {
      if (t === '') continue
      if (!/^-?\d+(\.\d+)?$/.test(t)) throw new FormatError(k + 1, `expected a number, found "${t}"`)
      tokens.push({ value: Number(t), line: k + 1 })
    }
  })
  const [m, n] = [tokens[0]?.value, tokens[1]?.value]
  if (m === undefined || n === undefined || !Number.isInteger(m) || !Number.isInteger(n) || m < 1 || n < 1)
    throw new FormatError(tokens[0]?.line ?? 1, 'expected the number of agents and jobs ("m n") first')
  const need = 2 + 2 * m * n + m
  if (tokens.length < need)
    throw new FormatError(
      tokens.at(-1)?.line ?? 1,
      `expected ${need} numbers for ${m} agents × ${n} jobs, found ${tokens.length}`,
    )
  if (tokens.length > need) throw new FormatError(tokens[need]!.line, `unexpected data after ${need} numbers`)
  const matrix = (from: number) =>
    Array.from({ length: m }, (_, i) => tokens.slice(from + i * n, from + (i + 1) * n).map((t) => t.value))
  const hours = matrix(2 + m * n)
  for (let q = 2 + m * n; q < need; q++)
    if (tokens[q]!.value < 0)
      throw new FormatError(tokens[q]!.line, 'resource use and capacity cannot be negative')
  return { objective, cost: matrix(2), hours, capacity: tokens.slice(need - m).map((t) => t.value) }
}
