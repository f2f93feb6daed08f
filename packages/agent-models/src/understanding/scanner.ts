import { foldForPrefilter, type Prefilter, passes } from './prefilter.js'
import type { Span } from './schema.js'

/**
 * Placeholder written over consumed text: a private-use character, so neither a letter, a digit nor a space,
 * and later patterns cannot match across it.
 */
const MASK = '\uE000'

/**
 * Walks a request while extractors claim pieces of it. Every extractor searches the *masked* text (already
 * claimed pieces are blanked out), so two extractors never claim the same words, and whatever is left at
 * the end is exactly what the parser did not understand.
 */
export class Scanner {
  readonly text: string
  private chars: string[]
  /** The masked text, rebuilt only after a consume: every extractor reads it, often once per pattern. */
  private maskedText: string | null = null
  /** The original text folded for prefilters (see `prefilter.ts`); masking only removes matches. */
  private foldedText: string | null = null

  constructor(text: string) {
    this.text = text
    // One element per UTF-16 unit, so positions line up with String indices and regex match offsets.
    this.chars = text.split('')
  }

  get masked(): string {
    this.maskedText ??= this.chars.join('')
    return this.maskedText
  }

  /** Whether a pattern with this prefilter can match anywhere in the (masked) text; false means it cannot. */
  mayMatch(prefilter: Prefilter): boolean {
    if (prefilter.length === 0) return true
    this.foldedText ??= foldForPrefilter(this.text)
    return passes(prefilter, this.foldedText)
  }

  isFree(start: number, end: number): boolean {
    for (let i = start; i < end; i++) if (this.chars[i] === MASK) return false
    return true
  }

  span(start: number, end: number): Span {
    return { start, end, text: this.text.slice(start, end) }
  }

  /** Marks [start, end) as understood and returns its span (whitespace at either edge trimmed). */
  consume(start: number, end: number): Span {
    let s = start
    let e = end
    while (s < e && /\s/.test(this.text.charAt(s))) s++
    while (e > s && /\s/.test(this.text.charAt(e - 1))) e--
    for (let i = s; i < e; i++) this.chars[i] = MASK
    if (e > s) this.maskedText = null
    return this.span(s, e)
  }

  /** All matches of `pattern` (must have the g flag) in the masked text. */
  matches(pattern: RegExp): RegExpExecArray[] {
    if (!pattern.global) throw new Error('Scanner.matches needs a global pattern')
    pattern.lastIndex = 0
    return [...this.masked.matchAll(pattern)] as RegExpExecArray[]
  }

  /** Absolute start of capture group `group` within `match` (requires the d flag). */
  static groupStart(match: RegExpExecArray, group: number | string): number | null {
    const indices = match.indices
    if (!indices) throw new Error('pattern needs the d flag for group offsets')
    const range = typeof group === 'number' ? indices[group] : indices.groups?.[group]
    return range ? range[0] : null
  }

  static groupRange(match: RegExpExecArray, group: number | string): [number, number] | null {
    const indices = match.indices
    if (!indices) throw new Error('pattern needs the d flag for group offsets')
    const range = typeof group === 'number' ? indices[group] : indices.groups?.[group]
    return range ? [range[0], range[1]] : null
  }

  /** Words (with positions) that nobody has claimed. */
  freeWords(): { text: string; start: number; end: number }[] {
    return [...this.masked.matchAll(/[\p{L}\p{N}][\p{L}\p{N}'’&.+#-]*/gu)].map((m) => ({
      text: m[0].replace(/[.'’-]+$/, ''),
      start: m.index,
      end: m.index + m[0].replace(/[.'’-]+$/, '').length,
    }))
  }
}
