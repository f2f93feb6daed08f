import { describe, expect, it } from 'vitest'
import { compilePhrase } from './phrase-pattern.js'
import { PHRASES } from './phrases.js'
import { foldForPrefilter, literalPrefilter, passes, phrasePrefilter } from './prefilter.js'
import { escapeRegex } from './regex.js'
import { BUILTIN_SKILLS } from './vocabulary.js'

/** A small deterministic PRNG, so failures reproduce. */
function random(seed: number): () => number {
  let s = seed >>> 0
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0
    return s / 2 ** 32
  }
}

function closing(text: string, open: number): number {
  let depth = 0
  for (let i = open; i < text.length; i++) {
    if (text.charAt(i) === '(') depth++
    if (text.charAt(i) === ')' && --depth === 0) return i
  }
  throw new Error(`unbalanced ${text}`)
}

function splitTop(text: string, separator: string): string[] {
  const parts: string[] = []
  let depth = 0
  let current = ''
  for (const c of text) {
    if (c === '(') depth++
    if (c === ')') depth--
    if (depth === 0 && c === separator) {
      parts.push(current)
      current = ''
    } else current += c
  }
  parts.push(current)
  return parts
}

/** One text the phrase syntax of `phrases.ts` allows, with random choices, endings, spacing and case. */
function expand(phrase: string, rnd: () => number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(rnd() * items.length)] as T
  const sequence = (text: string): string =>
    splitTop(text.trim(), ' ')
      .filter(Boolean)
      .map(token)
      .filter(Boolean)
      .join(pick([' ', '  ', '\n']))
  const token = (text: string): string => {
    let out = ''
    for (let i = 0; i < text.length; i++) {
      const c = text.charAt(i)
      if (c === '(') {
        const end = closing(text, i)
        const optional = text.charAt(end + 1) === '?'
        const chosen = sequence(pick(splitTop(text.slice(i + 1, end), '|')))
        out += optional && rnd() < 0.5 ? '' : chosen
        i = optional ? end + 1 : end
      } else if (c === '*') out += pick(['', 'ing', 'ed', 's'])
      else if (c === '-') out += pick(['-', ' ', ''])
      else if (c === "'" || c === '’') out += pick(["'", '’', ''])
      else if (text.charAt(i + 1) === '?') {
        out += rnd() < 0.5 ? c : ''
        i++
      } else out += c
    }
    return out
  }
  const body = phrase
    .split(/\s*\.\.\.\s*/)
    .filter(Boolean)
    .map(sequence)
    .join(pick([' ', ' the Acme ', ' our big ']))
  const cased = pick([
    (s: string) => s,
    (s: string) => s.toUpperCase(),
    (s: string) => s.replace(/\b\p{L}/gu, (l) => l.toUpperCase()),
    // Characters that case-fold onto ASCII letters under the patterns' `iu` flags.
    (s: string) => s.replace(/s/g, '\u017f').replace(/k/g, '\u212a'),
  ])(body)
  return `Please, ${cased} today.`
}

const ALL_PHRASES = PHRASES.flatMap((e) => [...e.phrases, ...(e.also ?? [])])

describe('phrase prefilters', () => {
  it('reads the required words of a phrase', () => {
    expect(phrasePrefilter('(convert*|turn*) ... quote*')).toEqual([['convert', 'turn'], ['quote']])
    expect(phrasePrefilter('(request|ask for|get|seek|needs?|requires?) approval')).toEqual([
      ['request', 'ask', 'get', 'seek', 'need', 'require'],
      ['approval'],
    ])
    expect(phrasePrefilter('(re)?plan(ning)?')).toEqual([['plan']])
    expect(phrasePrefilter("who('s| is| are)? (free|idle)")).toEqual([['who'], ['free', 'idle']])
    expect(phrasePrefilter('over-allocat*')).toEqual([['over']])
    // An optional token requires nothing; a group with a symbol-only alternative is not narrowed.
    expect(phrasePrefilter('(the)? baseline')).toEqual([['baseline']])
    expect(phrasePrefilter('billable (hours|%|percentage|ratio)')).toEqual([['billable']])
  })

  it('never rejects a text the phrase matches (sampled expansions of every phrase)', () => {
    const rnd = random(12)
    let matched = 0
    for (const phrase of ALL_PHRASES) {
      const pattern = compilePhrase(phrase)
      const prefilter = phrasePrefilter(phrase)
      for (let i = 0; i < 40; i++) {
        const text = expand(phrase, rnd)
        pattern.lastIndex = 0
        if (!pattern.test(text)) continue
        matched++
        expect(passes(prefilter, foldForPrefilter(text)), `${phrase} on ${JSON.stringify(text)}`).toBe(true)
      }
    }
    // The expansions are real matches most of the time, so the property is checked on thousands of texts.
    expect(matched).toBeGreaterThan(ALL_PHRASES.length * 20)
  })

  it('rejects texts without the required words', () => {
    const folded = foldForPrefilter('How is project NW-201 doing?')
    expect(passes(phrasePrefilter('(convert*|turn*) ... quote*'), folded)).toBe(false)
    expect(passes(phrasePrefilter('how ... doing'), folded)).toBe(true)
  })
})

describe('literal prefilters', () => {
  it('requires the longest ASCII run of every skill word, in any case the pattern accepts', () => {
    const words = BUILTIN_SKILLS.flatMap((s) => [s.name, ...s.aliases])
    for (const word of words) {
      const pattern = new RegExp(`(?<![\\p{L}\\p{N}])${escapeRegex(word)}(?![\\p{L}\\p{N}])`, 'iu')
      for (const variant of [word, word.toUpperCase(), word.toLowerCase(), word.replace(/k/g, '\u212a')]) {
        const text = `We need ${variant}, please.`
        if (!pattern.test(text)) continue
        expect(passes(literalPrefilter(word), foldForPrefilter(text)), `${word} in ${text}`).toBe(true)
      }
    }
    expect(literalPrefilter('React Native')).toEqual([['native']])
    expect(literalPrefilter('C#')).toEqual([])
  })
})
