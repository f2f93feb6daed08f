/**
 * What must never reach a log line: credentials by the name of the field that holds them, and by their shape
 * inside free text (error messages, URLs, connection strings, provider error bodies).
 */

const CENSOR = '[REDACTED]'

/**
 * Field names whose values are credentials, wherever they appear (any depth, any case, `_`/`-` or camelCase):
 * passwords, tokens, secrets, API keys, cookies, AWS/Bedrock keys and session tokens, NATS tokens, nkey
 * seeds and creds, private keys, connection strings, Supabase's service role key.
 */
const SECRET_KEY =
  /pass(word|wd|phrase)?$|secret|token|api[-_]?key|^authori[sz]ation$|^cookie$|^set-cookie$|^x-api-key$|^jwt$|credential|creds$|role[-_]?key$|private[-_]?key|^nkey|seed$|signature$|access[-_]?key|^aws[-_]|^database[-_](listen[-_])?url$|^dsn$/i

/** Non-secrets whose names match the pattern above but that operators need to read. */
const NOT_SECRET =
  /^(token_type|tokens?_used|input_tokens|output_tokens|total_tokens|max_tokens|aws_region)$/i

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key) && !NOT_SECRET.test(key)
}

const CREDENTIALS_IN_URL = /(\b[a-z][a-z0-9+.-]*:\/\/)([^/@\s:]+)(?::[^/@\s]*)?@/gi
const BEARER = /\b(Bearer\s+)[A-Za-z0-9._~+/-]+=*/gi
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+/g
// A query parameter, its name possibly percent-encoded (`?access%5Ftoken=` is `?access_token=`).
const QUERY_PARAM = /([?&;])((?:[A-Za-z0-9._~-]|%[0-9A-Fa-f]{2})+)=([^&#\s"']*)/g
// Shapes of keys that are secrets on their own, whatever field or text carries them.
const KEY_SHAPES: RegExp[] = [
  /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/g, // AWS access key ids
  /\bABSK[A-Za-z0-9+/=]{20,}/g, // Amazon Bedrock API keys
  /\bbedrock-api-key-[A-Za-z0-9+/=_-]{20,}/g, // Bedrock short-term API keys
  /\bS[UOANCXPA][A-Z2-7]{56}\b/g, // NATS nkey seeds
  /-----BEGIN [A-Z ]*(?:PRIVATE KEY|NATS USER JWT|NKEY SEED)-----[\s\S]*?-----END [A-Z ]*-----/g,
  /\bsk-(?:ant-)?[A-Za-z0-9_-]{16,}/g, // OpenAI and Anthropic API keys
  /\bsb_secret_[A-Za-z0-9_-]{10,}/g, // Supabase secret keys
]
// `secret_access_key=...`, `"password": "..."`, `NATS_TOKEN=...` inside text.
const ASSIGNMENT =
  /\b((?:aws_)?(?:secret_access_key|session_token|access_key_id)|password|passwd|api[_-]?key|token|secret|nats_token|nats_password)(["']?\s*[:=]\s*["']?)([^\s"',;&}]+)/gi

function decodeName(name: string): string {
  try {
    return decodeURIComponent(name)
  } catch {
    return name
  }
}

/**
 * What any pattern below needs somewhere in the text (case-insensitive, so a superset of each): text without
 * it is returned as is. Most logged strings (ids, routes, messages) have none, and one scan costs a
 * fraction of the thirteen replaces (about 0.06 instead of 0.8 microseconds for a UUID).
 */
const MAYBE_SECRET =
  /[:=@]|bearer|eyJ|AKIA|ASIA|ABIA|ACCA|ABSK|bedrock-api-key-|S[UOANCXPA][A-Z2-7]{56}|-----BEGIN|sk-|sb_secret_/i

/** Masks credentials inside free text: URL passwords, bearer tokens, JWTs, secret query parameters and keys. */
export function redactText(text: string): string {
  if (!MAYBE_SECRET.test(text)) return text
  let out = text
    .replace(CREDENTIALS_IN_URL, `$1$2:${CENSOR}@`)
    .replace(BEARER, `$1${CENSOR}`)
    .replace(JWT, '[JWT]')
    .replace(QUERY_PARAM, (whole, sep: string, name: string) =>
      isSecretKey(decodeName(name)) ? `${sep}${name}=${CENSOR}` : whole,
    )
  for (const shape of KEY_SHAPES) out = out.replace(shape, CENSOR)
  return out.replace(ASSIGNMENT, (whole, name: string, eq: string, value: string) =>
    value === CENSOR || value === '[JWT]' ? whole : `${name}${eq}${CENSOR}`,
  )
}

const MAX_DEPTH = 8

/**
 * A copy of a log object with every secret-named field censored and every string passed through
 * `redactText`. Errors are left to the `err` serializer (which calls this on what it produces).
 */
export function redactValue(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return redactText(value)
  if (value === null || typeof value !== 'object') return value
  if (depth >= MAX_DEPTH || seen.has(value)) return value
  if (value instanceof Error || value instanceof Date || ArrayBuffer.isView(value)) return value
  seen.add(value)
  if (Array.isArray(value)) return value.map((v) => redactValue(v, depth + 1, seen))
  const proto = Object.getPrototypeOf(value)
  if (proto !== Object.prototype && proto !== null) {
    // Class instances serialise their own way: what toJSON answers, else their own enumerable fields (a
    // client with its apiKey), which are censored like a plain object's.
    const toJSON = (value as { toJSON?: unknown }).toJSON
    if (typeof toJSON === 'function') return redactValue(toJSON.call(value), depth + 1, seen)
  }
  const out: Record<string, unknown> = {}
  for (const [key, v] of Object.entries(value)) {
    out[key] =
      isSecretKey(key) && v !== null && v !== undefined && v !== '' ? CENSOR : redactValue(v, depth + 1, seen)
  }
  return out
}
