/**
 * Compiles the phrase syntax of `phrases.ts` into a regular expression whose named groups k1, k2, ... hold
 * the words around each `...` gap (what the intent claims).
 */

const STEM = "[\\p{L}'’-]*"
const GAP = '\\s+(?:[^.!?;\\n]{0,60}?\\s+)?'

/** Splits at top-level occurrences of `separator` (outside parentheses). */
function splitTop(text: string, separator: string): string[] {
  const parts: string[] = []
  let depth = 0
  let current = ''
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i)
    if (c === '(') depth++
    if (c === ')') depth--
    if (depth === 0 && text.startsWith(separator, i)) {
      parts.push(current)
      current = ''
      i += separator.length - 1
      continue
    }
    current += c
  }
  parts.push(current)
  return parts
}

function closing(text: string, open: number): number {
  let depth = 0
  for (let i = open; i < text.length; i++) {
    if (text.charAt(i) === '(') depth++
    if (text.charAt(i) === ')' && --depth === 0) return i
  }
  throw new Error(`unbalanced parentheses in phrase "${text}"`)
}

function literal(c: string): string {
  if (c === '[' || c === ']')
    throw new Error('phrases have no character classes: write the alternatives in (a|b)')
  if (c === '*') return STEM
  if (c === '-') return '[\\s-]?'
  if (c === "'" || c === '’') return "['’]?"
  if (c === '?') return '?'
  return c.replace(/[.+^${}()|[\]\\/]/g, '\\$&')
}

function compileAlternative(text: string): string {
  const lead = /^\s/.test(text) ? '\\s+' : ''
  const trimmed = text.trim()
  return trimmed === '' ? lead : lead + compileSequence(trimmed)
}

function compileToken(token: string): string {
  let out = ''
  for (let i = 0; i < token.length; i++) {
    const c = token.charAt(i)
    if (c === '(') {
      const end = closing(token, i)
      const alternatives = splitTop(token.slice(i + 1, end), '|').map(compileAlternative)
      out += `(?:${alternatives.join('|')})`
      i = end
      continue
    }
    out += literal(c)
  }
  return out
}

function compileSequence(text: string): string {
  const tokens = splitTop(text.trim(), ' ').filter(Boolean)
  let out = ''
  let started = false
  for (const token of tokens) {
    const optional = token.startsWith('(') && token.endsWith(')?') && closing(token, 0) === token.length - 2
    const body = compileToken(optional ? token.slice(0, -1) : token)
    if (!started) {
      out += optional ? `(?:${body}\\s+)?` : body
      started = !optional
    } else {
      out += optional ? `(?:\\s+${body})?` : `\\s+${body}`
    }
  }
  return out
}

/** The phrase as a global, indexed, case-insensitive, Unicode pattern on whole words. */
export function compilePhrase(phrase: string): RegExp {
  const segments = phrase.split(/\s*\.\.\.\s*/).filter(Boolean)
  const body = segments.map((s, i) => `(?<k${i + 1}>${compileSequence(s)})`).join(GAP)
  return new RegExp(`(?<![\\p{L}\\p{N}])${body}(?![\\p{L}\\p{N}])`, 'dgiu')
}

/** How specific a phrase is: its required words (optional groups and gaps do not count). */
export function phraseWeight(phrase: string): number {
  return phrase
    .split(/\s*\.\.\.\s*/)
    .flatMap((s) => splitTop(s.trim(), ' '))
    .filter((t) => t && !(t.startsWith('(') && t.endsWith(')?'))).length
}
