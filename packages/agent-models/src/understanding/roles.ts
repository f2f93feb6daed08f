import type { RequestContext } from '../context.js'
import { NUMBER, parseNumber } from './numbers.js'
import { literalPrefilter, type Prefilter } from './prefilter.js'
import { escapeRegex } from './regex.js'
import type { Scanner } from './scanner.js'
import type { RoleLevel, RoleMention, SkillMention, Span } from './schema.js'
import {
  BUILTIN_SKILLS,
  DISCIPLINE_SKILLS,
  LEVEL_SYNONYMS,
  ROLE_SYNONYMS,
  SPECIALISMS,
  SYNONYM_LEVEL,
} from './vocabulary.js'

function alternation(words: Iterable<string>): string {
  return [...words]
    .sort((a, b) => b.length - a.length)
    .map(escapeRegex)
    .join('|')
}

const NOT_WORD_BEFORE = '(?<![\\p{L}\\p{N}])'
const NOT_WORD_AFTER = '(?![\\p{L}\\p{N}])'

interface SkillPattern {
  name: string
  pattern: RegExp
  /** The skill word's letters: most skills are absent from a request and skipped without a regex run. */
  prefilter: Prefilter
}

/**
 * Compiled skill patterns per organisation skill list: a worker sees the same organisation's context on
 * every request, and compiling ~100 patterns per request was a tenth of an understanding. Keyed by the
 * list's contents (each request parses a fresh context); bounded so many organisations cannot grow it.
 */
const SKILL_PATTERN_CACHE = new Map<string, SkillPattern[]>()
const SKILL_PATTERN_CACHE_SIZE = 64

/** The organisation's skills (context.skills) win; built-in aliases map onto their spelling. */
function skillPatterns(context: RequestContext): SkillPattern[] {
  const orgSkills = context.skills ?? []
  const key = JSON.stringify(orgSkills)
  const cached = SKILL_PATTERN_CACHE.get(key)
  if (cached) return cached
  const compiled = compileSkillPatterns(orgSkills)
  if (SKILL_PATTERN_CACHE.size >= SKILL_PATTERN_CACHE_SIZE) SKILL_PATTERN_CACHE.clear()
  SKILL_PATTERN_CACHE.set(key, compiled)
  return compiled
}

function compileSkillPatterns(orgSkills: readonly string[]): SkillPattern[] {
  const byLower = new Map(orgSkills.map((s) => [s.toLowerCase(), s]))
  const patterns: { name: string; words: string[]; caseSensitive: boolean }[] = []
  const claimed = new Set<string>()
  for (const entry of BUILTIN_SKILLS) {
    const words = [entry.name, ...entry.aliases]
    const orgName = words.map((w) => byLower.get(w.toLowerCase())).find((n) => n !== undefined)
    if (orgName) claimed.add(orgName.toLowerCase())
    patterns.push({ name: orgName ?? entry.name, words, caseSensitive: entry.caseSensitive === true })
  }
  for (const skill of orgSkills) {
    if (!claimed.has(skill.toLowerCase()))
      patterns.push({ name: skill, words: [skill], caseSensitive: false })
  }
  // Longest words first, so "React Native" is found before "React".
  return patterns
    .flatMap((p) => p.words.map((word) => ({ ...p, word })))
    .sort((a, b) => b.word.length - a.word.length)
    .map((p) => ({
      name: p.name,
      pattern: new RegExp(
        `${NOT_WORD_BEFORE}${escapeRegex(p.word)}${NOT_WORD_AFTER}`,
        p.caseSensitive ? 'gu' : 'giu',
      ),
      prefilter: literalPrefilter(p.word),
    }))
}

export function extractSkills(scanner: Scanner, context: RequestContext): SkillMention[] {
  const found: SkillMention[] = []
  for (const { name, pattern, prefilter } of skillPatterns(context)) {
    if (!scanner.mayMatch(prefilter)) continue
    for (const match of scanner.matches(pattern)) {
      found.push({
        skill: name,
        minProficiency: null,
        span: scanner.consume(match.index, match.index + match[0].length),
      })
    }
  }
  found.sort((a, b) => a.span.start - b.span.start)
  // A level applies to the skills before it in the same clause that have none yet.
  for (const match of scanner.matches(SKILL_LEVEL)) {
    const level = Number(match.groups?.level)
    const before = scanner.text.slice(0, match.index)
    const clauseStart = Math.max(...['.', ';', '!', '?'].map((c) => before.lastIndexOf(c)))
    const targets = found.filter(
      (s) => s.minProficiency === null && s.span.end <= match.index && s.span.start > clauseStart,
    )
    if (targets.length === 0) continue
    for (const s of targets) s.minProficiency = level
    scanner.consume(match.index, match.index + match[0].length)
  }
  return found
}

const SKILL_LEVEL =
  /(?<![\p{L}\p{N}])(?:(?:at|level|proficiency|of)\s+(?:level\s+)?)?\(?(?<level>[1-5])\s*(?:\+|\/\s*5\s*\+?|\s+or\s+(?:above|higher|better|more))\)?/giu

const roleWords = new Map<string, string>()
for (const [role, words] of Object.entries(ROLE_SYNONYMS)) for (const w of words) roleWords.set(w, role)
const levelWords = new Map<string, RoleLevel>()
for (const [level, words] of Object.entries(LEVEL_SYNONYMS))
  for (const w of words) levelWords.set(w, level as RoleLevel)
const specialismWords = new Map<string, string>()
for (const [spec, words] of Object.entries(SPECIALISMS)) for (const w of words) specialismWords.set(w, spec)

const LEVEL = `(?<level>${alternation(levelWords.keys())})\\.?`
const SPECIALISM = `(?<spec>${alternation(specialismWords.keys())})`
const COUNT = `(?<count>${NUMBER})\\s+(?:x\\s+)?`
// A skill already claimed shows up as a run of mask characters; it can sit between level and role.
const SKILL_SLOT = '(?<skill>\\uE000+)'
const ROLE = `(?<role>${alternation(roleWords.keys())})(?:s|es)?`
const GENERIC = '(?<generic>roles?|positions?|people|resources?|specialists?|experts?|folks|talent)'

const ROLE_PATTERN = new RegExp(
  `${NOT_WORD_BEFORE}(?:${COUNT})?(?:${LEVEL}[\\s-]+)?(?:${SPECIALISM}[\\s-]+)?(?:${SKILL_SLOT}[\\s-]+)?${ROLE}${NOT_WORD_AFTER}`,
  'gdiu',
)
// Read after the role patterns, so only a specialism no role word follows is left: "backend 120h".
const SPECIALISM_PATTERN = new RegExp(
  `${NOT_WORD_BEFORE}(?:${LEVEL}[\\s-]+)?${SPECIALISM}${NOT_WORD_AFTER}`,
  'gdiu',
)
const GENERIC_PATTERN = new RegExp(
  `${NOT_WORD_BEFORE}(?:${COUNT})?(?:${LEVEL}[\\s-]+)?${SKILL_SLOT}(?:['’]s)?[\\s-]+${GENERIC}${NOT_WORD_AFTER}`,
  'gdiu',
)

function normalise(text: string): string {
  return text.toLowerCase().replace(/\s+/g, ' ').replace(/\.$/, '')
}

/** Role words longest first, so "qa engineer" is found before "engineer". */
const ROLE_WORDS_LONGEST_FIRST = [...roleWords.entries()].sort((a, b) => b[0].length - a[0].length)

interface DescribedRole {
  name: string
  canonical: string | undefined
  level: RoleLevel | null
}

/**
 * Described role lists per organisation role list: every role mention read them, and describing each role
 * name against every role word was a sixth of an understanding. Keyed by the list's contents (each request
 * parses a fresh context); bounded so many organisations cannot grow it.
 */
const DESCRIBED_ROLES_CACHE = new Map<string, readonly DescribedRole[]>()
const DESCRIBED_ROLES_CACHE_SIZE = 64

/** The organisation's roles read as canonical role and level ("Senior Developer" -> developer, senior). */
function describedRoles(context: RequestContext): readonly DescribedRole[] {
  const roles = context.roles ?? []
  const key = JSON.stringify(roles)
  const cached = DESCRIBED_ROLES_CACHE.get(key)
  if (cached) return cached
  const described = roles.map((name) => {
    const lower = ` ${normalise(name)} `
    const canonical = ROLE_WORDS_LONGEST_FIRST.find(
      ([word]) => lower.includes(` ${word} `) || lower.includes(` ${word}s `),
    )?.[1]
    const lvl = [...levelWords.entries()].find(([word]) => lower.includes(` ${word} `))?.[1] ?? null
    return { name, canonical, level: lvl }
  })
  if (DESCRIBED_ROLES_CACHE.size >= DESCRIBED_ROLES_CACHE_SIZE) DESCRIBED_ROLES_CACHE.clear()
  DESCRIBED_ROLES_CACHE.set(key, described)
  return described
}

/**
 * The organisation's roles a mention could mean when it names no single one ("developer" at a firm with
 * Junior, Senior and Lead Developers), for asking which.
 */
export function possibleRoles(mention: RoleMention, context: RequestContext): string[] {
  return describedRoles(context)
    .filter((d) => d.canonical === mention.role)
    .map((d) => d.name)
}

/** Maps a role mention onto one of the organisation's role names, e.g. senior + developer -> "Senior Developer". */
function knownRoleFor(role: string | null, level: RoleLevel | null, context: RequestContext): string | null {
  if (!role || !context.roles?.length) return null
  const sameRole = describedRoles(context).filter((d) => d.canonical === role)
  return (
    sameRole.find((d) => d.level === level)?.name ??
    (level === null ? undefined : sameRole.find((d) => d.level === null)?.name) ??
    null
  )
}

function mention(
  role: string | null,
  level: RoleLevel | null,
  specialism: string | null,
  skill: string | null,
  count: number | null,
  context: RequestContext,
  span: Span,
): RoleMention {
  return { role, level, specialism, skill, count, knownRole: knownRoleFor(role, level, context), span }
}

function skillAt(skills: SkillMention[], start: number | null): string | null {
  if (start === null) return null
  return skills.find((s) => s.span.start === start)?.skill ?? null
}

/** Role mentions ("senior dev", "two designers", "React roles", "120 hours of QA" -> QA). */
export function extractRoles(
  scanner: Scanner,
  context: RequestContext,
  skills: SkillMention[],
): RoleMention[] {
  const found: RoleMention[] = []
  for (const [pattern, generic] of [
    [ROLE_PATTERN, false],
    [GENERIC_PATTERN, true],
    [SPECIALISM_PATTERN, false],
  ] as const) {
    for (const match of scanner.matches(pattern)) {
      const g = match.groups ?? {}
      const roleWord = g.role ? normalise(g.role) : null
      const role = roleWord ? (roleWords.get(roleWord) ?? null) : g.spec ? 'developer' : null
      if (!generic && !role) continue
      const level = g.level
        ? (levelWords.get(normalise(g.level)) ?? null)
        : roleWord
          ? (SYNONYM_LEVEL[roleWord] ?? null)
          : null
      const skillStart = match.indices?.groups?.skill?.[0] ?? null
      const skill = skillAt(skills, skillStart)
      const end = match.index + match[0].length
      if (skillStart !== null && skill === null) {
        // The masked run was something else (an hours figure, a date): the mention starts after it.
        if (generic || !role) continue
        const roleStart = match.indices?.groups?.role?.[0] ?? match.index
        found.push(
          mention(
            role,
            roleWord ? (SYNONYM_LEVEL[roleWord] ?? null) : null,
            null,
            null,
            null,
            context,
            scanner.consume(roleStart, end),
          ),
        )
        continue
      }
      const count = g.count ? parseNumber(g.count) : null
      found.push(
        mention(
          role,
          level,
          g.spec ? (specialismWords.get(normalise(g.spec)) ?? null) : null,
          skill,
          count !== null && Number.isInteger(count) && count > 0 ? count : null,
          context,
          scanner.consume(match.index, end),
        ),
      )
    }
  }
  return found.sort((a, b) => a.span.start - b.span.start)
}

/**
 * The roles that skills naming a discipline stand for ("UX research" -> UX researcher), for pairing with
 * effort figures only: elsewhere "UX research" stays a skill to search for.
 */
export function disciplineRoles(skills: SkillMention[], context: RequestContext): RoleMention[] {
  return skills.flatMap((s) => {
    const role = DISCIPLINE_SKILLS[s.skill.toLowerCase()]
    return role ? [mention(role, null, null, null, null, context, s.span)] : []
  })
}
