import { randomBytes, randomUUID } from 'node:crypto'
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { AppError } from '@psa/errors'
import { exportJWK, generateKeyPair, type JWK } from 'jose'
import { z } from 'zod'

/**
 * The key file holds a JSON array of private JWKs: the format of Supabase's `signing_keys.json`, as written
 * by `supabase gen signing-key`. So one file can sign for us and for the Supabase CLI, and a key generated
 * by the CLI can be dropped in. The first key signs; every key is published in the JWKS (rotation).
 */
const privateJwkSchema = z
  .object({
    kty: z.enum(['EC', 'RSA']),
    kid: z.string().min(1),
    alg: z.enum(['ES256', 'RS256']),
    d: z.string().min(1, { error: 'must be a private key' }),
  })
  .loose()
const keyFileSchema = z.array(privateJwkSchema).min(1, { error: 'must hold at least one key' })

export type DevSigningJwk = z.infer<typeof privateJwkSchema> & JWK

// Members that make a JWK private; none of them may reach the published JWKS.
const PRIVATE_MEMBERS = new Set(['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'])

/** The public half of a signing key, shaped as Supabase publishes it. */
export function publicJwk(jwk: DevSigningJwk): JWK {
  const pub = Object.fromEntries(Object.entries(jwk).filter(([name]) => !PRIVATE_MEMBERS.has(name)))
  return { ...pub, kid: jwk.kid, alg: jwk.alg, use: 'sig', key_ops: ['verify'], ext: true }
}

async function generateSigningJwk(): Promise<DevSigningJwk> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true })
  const jwk = await exportJWK(privateKey)
  // Same members, same order as `supabase gen signing-key --algorithm ES256`.
  return {
    kty: 'EC',
    kid: randomUUID(),
    use: 'sig',
    key_ops: ['sign', 'verify'],
    alg: 'ES256',
    ext: true,
    d: jwk.d as string,
    crv: jwk.crv as string,
    x: jwk.x as string,
    y: jwk.y as string,
  }
}

function keyFileError(path: string, problem: string, cause?: unknown): AppError {
  return new AppError('INTERNAL', `Development signing key file ${path} ${problem}`, {
    details: { reason: 'dev_key_file_invalid', path },
    ...(cause === undefined ? {} : { cause }),
  })
}

/**
 * Creates the file with a fresh ES256 key (mode 0600, directory 0700) unless it exists. Processes starting
 * together must end up with the same key, so the file appears atomically: written under a temporary name,
 * then hard-linked into place, which fails if another process got there first.
 */
async function createIfMissing(path: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 })
  const body = `${JSON.stringify([await generateSigningJwk()], null, 2)}\n`
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`
  await writeFile(temp, body, { flag: 'wx', mode: 0o600 })
  try {
    await link(temp, path)
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code
    if (code !== 'EEXIST') {
      // Filesystems without hard links: exclusive create still never overwrites a key someone else wrote.
      await writeFile(path, body, { flag: 'wx', mode: 0o600 }).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'EEXIST') throw e
      })
    }
  } finally {
    await unlink(temp).catch(() => {})
  }
}

/** Reads the key file, creating it first if it does not exist. */
export async function loadOrCreateDevKeys(path: string): Promise<DevSigningJwk[]> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw keyFileError(path, 'cannot be read', err)
    await createIfMissing(path)
    text = await readFile(path, 'utf8')
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (err) {
    throw keyFileError(path, 'is not JSON; delete it to have a new key generated', err)
  }
  const parsed = keyFileSchema.safeParse(json)
  if (!parsed.success) {
    const issue = parsed.error.issues[0]
    const where = issue?.path.length ? ` at ${issue.path.join('.')}` : ''
    throw keyFileError(
      path,
      `is not a JSON array of private ES256/RS256 JWKs with kid and alg${where}: ${issue?.message}`,
      parsed.error,
    )
  }
  return parsed.data as DevSigningJwk[]
}
