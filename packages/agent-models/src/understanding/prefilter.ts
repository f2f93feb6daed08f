/**
 * Literal prefilters for the catalogue's patterns. Running ~130 phrase patterns and ~70 skill patterns over
 * every request was most of an understanding (each starts with a Unicode lookbehind, so the regex engine
 * tries it at every position), yet a typical request contains the words of only a few of them. A pattern
 * whose required words are absent from the request cannot match, so it is skipped without running (or, on
 * a worker's first requests, even compiling) it.
 *
 * A prefilter is a list of requirements; each requirement is a set of lowercase ASCII strings of which one
 * must occur in the request's folded text. It must never reject a text its pattern would match (tests check
 * this); accepting a text the pattern then does not match only costs the regex run.
 */
export type Prefilter = readonly (readonly string[])[]

/** Words shorter than this are not worth a requirement (they occur in almost every request). */
const MIN_LITERAL = 2

/**
 * The request as the prefilters read it: lower case, with the two non-ASCII characters that case-fold to
 * ASCII letters under the patterns' `iu` flags folded too (the Kelvin sign lowercases to "k" by itself; the
 * long s does not). Non-ASCII letters never satisfy a requirement, which is ASCII only.
 */
export function foldForPrefilter(text: string): string {
  return text.toLowerCase().replace(/\u017f/g, 's')
}

export function passes(prefilter: Prefilter, folded: string): boolean {
  for (const anyOf of prefilter) {
    let found = false
    for (const literal of anyOf) {
      if (folded.includes(literal)) {
        found = true
        break
      }
    }
    if (!found) return false
  }
  return true
}

const PLAIN = /[a-z0-9]/

function closing(text: string, open: number): number {
  let depth = 0
  for (let i = open; i < text.length; i++) {
    if (text.charAt(i) === '(') depth++
    if (text.charAt(i) === ')' && --depth === 0) return i
  }
  return -1
}

/** Splits at top-level occurrences of `separator` (outside parentheses). */
function splitTop(text: string, separator: string): string[] {
  const parts: string[] = []
  let depth = 0
  let start = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i)
    if (c === '(') depth++
    else if (c === ')') depth--
    else if (depth === 0 && c === separator) {
      parts.push(text.slice(start, i))
      start = i + 1
    }
  }
  parts.push(text.slice(start))
  return parts
}

/**
 * What one phrase token (see `phrases.ts`: letters, `*`, `-`, `'`, `?`, `(a|b)` groups) requires: its
 * first required element, a run of plain letters or a group (one of its alternatives' requirements).
 * Null when nothing certain can be said.
 */
function tokenRequirement(token: string): string[] | null {
  let i = 0
  while (i < token.length) {
    const c = token.charAt(i)
    if (c === '(') {
      const end = closing(token, i)
      if (end < 0) return null
      if (token.charAt(end + 1) === '?') {
        i = end + 2 // an optional group: what follows it is still required
        continue
      }
      const alternatives = splitTop(token.slice(i + 1, end), '|').map(sequenceRequirement)
      if (alternatives.some((a) => a === null)) return null
      return [...new Set(alternatives.flat() as string[])]
    }
    let run = ''
    while (i < token.length && PLAIN.test(token.charAt(i).toLowerCase())) {
      // A letter followed by `?` is optional: the required run ends before it.
      if (token.charAt(i + 1) === '?') break
      run += token.charAt(i).toLowerCase()
      i++
    }
    return run.length >= MIN_LITERAL ? [run] : null
  }
  return null
}

/** A sequence of tokens separated by spaces: the requirement of its first token that is not optional. */
function sequenceRequirement(sequence: string): string[] | null {
  for (const token of splitTop(sequence.trim(), ' ').filter(Boolean)) {
    const optional = token.startsWith('(') && token.endsWith(')?') && closing(token, 0) === token.length - 2
    if (optional) continue
    return tokenRequirement(token)
  }
  return null
}

/** The prefilter of a phrase in the syntax of `phrases.ts`: every required token's requirement. */
export function phrasePrefilter(phrase: string): Prefilter {
  const requirements: string[][] = []
  for (const segment of phrase.split(/\s*\.\.\.\s*/).filter(Boolean)) {
    for (const token of splitTop(segment.trim(), ' ').filter(Boolean)) {
      const optional = token.startsWith('(') && token.endsWith(')?') && closing(token, 0) === token.length - 2
      if (optional) continue
      const requirement = tokenRequirement(token)
      if (requirement) requirements.push(requirement)
    }
  }
  return requirements
}

/**
 * The prefilter of a word matched literally (case-insensitively unless `caseSensitive`; whitespace runs
 * match any whitespace): its longest run of ASCII letters and digits must occur.
 */
export function literalPrefilter(word: string): Prefilter {
  const runs = word.toLowerCase().match(/[a-z0-9]+/g) ?? []
  const longest = runs.reduce((a, b) => (b.length > a.length ? b : a), '')
  return longest.length >= MIN_LITERAL ? [[longest]] : []
}
