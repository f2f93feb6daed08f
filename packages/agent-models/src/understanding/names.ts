import { distance } from 'fastest-levenshtein'
import type { NamedEntity, RequestContext } from '../context.js'
import type { Scanner } from './scanner.js'
import type { EntityKind, EntityMention } from './schema.js'
import { FILLER_WORDS } from './vocabulary.js'

/**
 * Finds the context's known clients, projects and people in the request: case-insensitive, tolerant of
 * possessives ("Acme's"), legal suffixes ("Acme Corp" from "Acme"), small typos ("Acme Corporaton") and,
 * for projects, some of the name's words in order ("the Acme rebuild" for "Acme Website Rebuild").
 */

interface Token {
  text: string
  lower: string
  start: number
  end: number
  capitalised: boolean
}

const LEGAL_SUFFIXES = new Set([
  'inc',
  'ltd',
  'llc',
  'llp',
  'plc',
  'corp',
  'corporation',
  'co',
  'gmbh',
  'limited',
  'company',
  'sa',
  'ag',
  'bv',
  'nv',
  'pty',
  'group',
  'holdings',
])

function tokenize(text: string): Token[] {
  return [...text.matchAll(/[\p{L}\p{N}][\p{L}\p{N}&.'’-]*/gu)].map((m) => {
    const raw = m[0].replace(/['’]s$/i, '').replace(/[.'’-]+$/, '')
    return {
      text: raw,
      lower: raw.toLowerCase(),
      start: m.index,
      end: m.index + raw.length,
      capitalised: /^\p{Lu}/u.test(raw),
    }
  })
}

/**
 * Name variants per entity: the same organisation's clients, projects and people come with every request,
 * and re-tokenising all their names per request was most of the entity matching. Keyed by kind, name and
 * aliases (each request parses a fresh context); cleared when large so many organisations cannot grow it.
 */
const VARIANT_CACHE = new Map<string, readonly (readonly string[])[]>()
const VARIANT_CACHE_SIZE = 20_000

function variantsOf(entity: NamedEntity, kind: EntityKind): readonly (readonly string[])[] {
  const key = JSON.stringify([kind, entity.name, entity.aliases ?? []])
  const cached = VARIANT_CACHE.get(key)
  if (cached) return cached
  const variants = computeVariants(entity, kind)
  if (VARIANT_CACHE.size >= VARIANT_CACHE_SIZE) VARIANT_CACHE.clear()
  VARIANT_CACHE.set(key, variants)
  return variants
}

function computeVariants(entity: NamedEntity, kind: EntityKind): string[][] {
  const names = [entity.name, ...(entity.aliases ?? [])]
  const variants: string[][] = []
  for (const name of names) {
    const tokens = tokenize(name).map((t) => t.lower)
    if (tokens[0] === 'the' && tokens.length > 1) tokens.shift()
    variants.push(tokens)
    // "Brand Refresh & Website" is also said "brand refresh and website".
    if (/&/.test(name)) variants.push(tokenize(name.replace(/\s*&\s*/g, ' and ')).map((t) => t.lower))
    if (kind === 'client') {
      const stripped = [...tokens]
      while (stripped.length > 1 && LEGAL_SUFFIXES.has(stripped.at(-1) ?? '')) stripped.pop()
      if (stripped.length !== tokens.length) variants.push(stripped)
    }
  }
  return variants.filter((v) => v.length > 0)
}

function similar(a: string, b: string): 'exact' | 'fuzzy' | null {
  if (a === b) return 'exact'
  const shortest = Math.min(a.length, b.length)
  if (shortest < 5) return null
  const allowed = shortest >= 9 ? 2 : 1
  // The edit distance is at least the difference in length: most pairs are settled without computing it.
  if (Math.abs(a.length - b.length) > allowed) return null
  return distance(a, b) <= allowed ? 'fuzzy' : null
}

interface Candidate {
  kind: EntityKind
  entity: NamedEntity & { clientId?: string }
  from: number
  to: number
  match: 'exact' | 'partial' | 'fuzzy'
  score: number
}

const KIND_PRIORITY: Record<EntityKind, number> = { project: 0, client: 1, person: 2 }

/** Tokens are in one window only if nothing but spaces, hyphens or "&" separates them. */
function adjacent(text: string, a: Token, b: Token): boolean {
  return /^[\s&-]*$/.test(text.slice(a.end, b.start))
}

/**
 * The request's tokens, with whether each one is adjacent to the one before it: every entity's windows
 * ask that of the same consecutive pairs, so it is worked out once per request instead of per entity.
 */
interface Tokens {
  list: Token[]
  /** joined[i]: token i is adjacent to token i - 1 (false for the first). */
  joined: boolean[]
}

function windowMatches(tokenized: Tokens, kind: EntityKind, entity: NamedEntity): Candidate[] {
  const found: Candidate[] = []
  const tokens = tokenized.list
  const joined = tokenized.joined
  for (const variant of variantsOf(entity, kind)) {
    const n = variant.length
    for (let i = 0; i + n <= tokens.length; i++) {
      // Every token of the window adjacent to the previous one and similar to the variant's word.
      let fuzzy = false
      let k = 0
      for (; k < n; k++) {
        if (k > 0 && !joined[i + k]) break
        const grade = similar((tokens[i + k] as Token).lower, variant[k] ?? '')
        if (grade === null) break
        if (grade === 'fuzzy') fuzzy = true
      }
      if (k === n) {
        found.push({
          kind,
          entity,
          from: i,
          to: i + n,
          match: fuzzy ? 'fuzzy' : 'exact',
          score: (fuzzy ? 40 : 100) + n * 10,
        })
      }
    }
    // Part of the name: for projects, its first word and more of its words in order ("Acme rebuild");
    // for clients and people, a capitalised first word ("Globex" for "Globex Industries", "Priya").
    if (n < 2) continue
    for (let i = 0; i < tokens.length; i++) {
      if (kind === 'project') {
        // Anchored on the name's first word: "Acme rebuild" may be "Acme Website Rebuild",
        // but "website rebuild" alone is just a description.
        if (!similar((tokens[i] as Token).lower, variant[0] ?? '')) continue
        let vi = 0
        let k = i
        while (k < tokens.length && vi < n) {
          const token = tokens[k] as Token
          if (k > i && !joined[k]) break
          while (vi < n && !similar(token.lower, variant[vi] ?? '')) vi++
          if (vi === n) break
          vi++
          k++
        }
        const length = k - i
        if (length >= 2 && length >= Math.ceil(n / 2) && length < n) {
          found.push({ kind, entity, from: i, to: k, match: 'partial', score: 50 + length * 10 })
        }
      } else {
        // The first words of a client's name: "Cedar Health" for "Cedar Health Partners".
        if (kind === 'client') {
          let k = 0
          while (
            k < n - 1 &&
            i + k < tokens.length &&
            (k === 0 || joined[i + k]) &&
            similar((tokens[i + k] as Token).lower, variant[k] ?? '') === 'exact'
          )
            k++
          if (k >= 2) found.push({ kind, entity, from: i, to: i + k, match: 'partial', score: 50 + k * 10 })
        }
        const token = tokens[i] as Token
        const candidates = kind === 'person' ? [variant[0], variant.at(-1)] : [variant[0]]
        if (
          token.capitalised &&
          token.lower.length >= 3 &&
          !FILLER_WORDS.has(token.lower) &&
          candidates.some((c) => c === token.lower)
        ) {
          found.push({ kind, entity, from: i, to: i + 1, match: 'partial', score: 45 })
        }
      }
    }
  }
  return found
}

export function extractEntities(scanner: Scanner, context: RequestContext, notes: string[]): EntityMention[] {
  const tokens = tokenize(scanner.masked)
  const masked = scanner.masked
  const tokenized: Tokens = {
    list: tokens,
    joined: tokens.map((t, i) => i > 0 && adjacent(masked, tokens[i - 1] as Token, t)),
  }
  const candidates: Candidate[] = []
  const lists: [EntityKind, (NamedEntity & { clientId?: string })[]][] = [
    ['project', context.projects ?? []],
    ['client', context.clients ?? []],
    ['person', context.people ?? []],
  ]
  for (const [kind, entities] of lists) {
    for (const entity of entities) candidates.push(...windowMatches(tokenized, kind, entity))
  }
  // Longer mentions first, so "the Acme rebuild" is the project, not the client Acme plus a stray word.
  candidates.sort(
    (a, b) =>
      b.to - b.from - (a.to - a.from) ||
      b.score - a.score ||
      a.from - b.from ||
      KIND_PRIORITY[a.kind] - KIND_PRIORITY[b.kind],
  )

  const taken = new Array<boolean>(tokens.length).fill(false)
  const mentions: EntityMention[] = []
  for (const candidate of candidates) {
    if (taken.slice(candidate.from, candidate.to).some(Boolean)) continue
    const rivals = candidates.filter(
      (c) =>
        c !== candidate &&
        c.from === candidate.from &&
        c.to === candidate.to &&
        c.score === candidate.score &&
        c.entity !== candidate.entity,
    )
    const alternatives = [...new Map(rivals.map((r) => [r.entity, r])).values()].map((r) => ({
      id: r.entity.id ?? null,
      name: r.entity.name,
    }))
    for (let i = candidate.from; i < candidate.to; i++) taken[i] = true
    const first = tokens[candidate.from] as Token
    const last = tokens[candidate.to - 1] as Token
    // Claim the possessive too, so "Acme's" leaves nothing behind.
    const possessive = /^['’]s\b/i.exec(scanner.text.slice(last.end))?.[0].length ?? 0
    const span = scanner.consume(first.start, last.end + possessive)
    mentions.push({
      kind: candidate.kind,
      id: candidate.entity.id ?? null,
      name: candidate.entity.name,
      match: candidate.match,
      alternatives,
      span,
    })
    if (alternatives.length > 0) {
      notes.push(
        `"${span.text}" could mean ${[candidate.entity.name, ...alternatives.map((a) => a.name)].map((n) => `"${n}"`).join(' or ')}; I assumed "${candidate.entity.name}".`,
      )
    }
    if (candidate.match === 'fuzzy') notes.push(`I read "${span.text}" as "${candidate.entity.name}".`)
  }

  // A named project tells us its client even when the client is not named.
  for (const mention of [...mentions]) {
    if (mention.kind !== 'project') continue
    const project = context.projects?.find((p) => p.name === mention.name && (p.id ?? null) === mention.id)
    const client = project?.clientId ? context.clients?.find((c) => c.id === project.clientId) : undefined
    if (client && !mentions.some((m) => m.kind === 'client' && m.name === client.name)) {
      mentions.push({
        kind: 'client',
        id: client.id ?? null,
        name: client.name,
        match: 'inferred',
        alternatives: [],
        span: mention.span,
      })
    }
  }
  return mentions.sort((a, b) => a.span.start - b.span.start || (a.match === 'inferred' ? 1 : -1))
}
