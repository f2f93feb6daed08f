import type { RequestContext } from '../context.js'
import { escapeRegex } from './regex.js'
import type { Scanner } from './scanner.js'
import type { QuoteReference } from './schema.js'

const GENERIC_REFERENCE =
  /\b(?:QT?|QUO|QUOTE)-\d{2,}(?:-\d+)*\b|(?<=\bquote\s+)(?:#|no\.?\s*|number\s+)\d{1,8}\b|#\d{1,8}\b/gi
const VERSION = /\b(?:v|version\s+|rev(?:ision)?\s+)(\d{1,3})\b/dgi

/** Quote references: the context's known references first, then anything shaped like one. */
export function extractQuoteReferences(scanner: Scanner, context: RequestContext): QuoteReference[] {
  const found: QuoteReference[] = []
  const known = [...(context.quotes ?? [])].sort((a, b) => b.reference.length - a.reference.length)
  for (const quote of known) {
    const pattern = new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegex(quote.reference)}(?![\\p{L}\\p{N}])`, 'giu')
    for (const match of scanner.matches(pattern)) {
      found.push({
        reference: quote.reference,
        id: quote.id ?? null,
        version: null,
        span: scanner.consume(match.index, match.index + match[0].length),
      })
    }
  }
  for (const match of scanner.matches(GENERIC_REFERENCE)) {
    const reference = match[0].replace(/^(?:no\.?\s*|number\s+)/i, '#').toUpperCase()
    found.push({
      reference,
      id: null,
      version: null,
      span: scanner.consume(match.index, match.index + match[0].length),
    })
  }
  found.sort((a, b) => a.span.start - b.span.start)
  for (const match of scanner.matches(VERSION)) {
    const version = Number(match[1])
    const span = scanner.consume(match.index, match.index + match[0].length)
    // A version belongs to the reference it follows ("Q-2027-003 v2"); alone it is a version of "the" quote.
    const owner = [...found].reverse().find((q) => q.span.end <= span.start && q.version === null)
    if (owner) owner.version = version
    else found.push({ reference: null, id: null, version, span })
  }
  return found.sort((a, b) => a.span.start - b.span.start)
}
