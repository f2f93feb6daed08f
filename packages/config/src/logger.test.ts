import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { createLogger, REDACTED_PATHS, redactText, withLogContext } from './logger.js'

function capture() {
  const lines: Record<string, unknown>[] = []
  const destination = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)))
      done()
    },
  })
  return { lines, logger: createLogger({ service: 'test', level: 'debug', destination }) }
}

describe('createLogger', () => {
  it('writes JSON with the service name and a textual level', () => {
    const { lines, logger } = capture()
    logger.info({ n: 1 }, 'hello')
    expect(lines[0]).toMatchObject({ service: 'test', level: 'info', msg: 'hello', n: 1 })
    expect(typeof lines[0]?.time).toBe('string')
  })

  it('redacts secrets and tokens', () => {
    const { lines, logger } = capture()
    logger.info(
      { req: { headers: { authorization: 'Bearer abc' } }, body: { password: 'p', token: 't' } },
      'x',
    )
    const line = JSON.stringify(lines[0])
    expect(line).not.toContain('abc')
    expect(line).not.toContain('"p"')
    expect(line).not.toContain('"t"')
    expect(line).toContain('[REDACTED]')
  })

  it('redacts credentials inside error messages', () => {
    const { lines, logger } = capture()
    logger.error({ err: new Error('connect postgres://app:s3cret@db:5432/psa failed') }, 'boom')
    expect(JSON.stringify(lines[0])).not.toContain('s3cret')
  })

  it('adds the ambient log context to every line', () => {
    const { lines, logger } = capture()
    withLogContext({ trace_id: 'abc123' }, () => {
      withLogContext({ session_id: 's1' }, () => logger.info('inner'))
    })
    logger.info('outside')
    expect(lines[0]).toMatchObject({ trace_id: 'abc123', session_id: 's1' })
    expect(lines[1]?.trace_id).toBeUndefined()
  })
})

describe('redactText', () => {
  it('masks URL passwords, bearer tokens and JWTs', () => {
    expect(redactText('postgres://u:pw@h/db')).toBe('postgres://u:[REDACTED]@h/db')
    expect(redactText('Authorization: Bearer abc.def')).toBe('Authorization: Bearer [REDACTED]')
    expect(redactText('token eyJhbGciOi.eyJzdWIiOi.sig')).toBe('token [JWT]')
  })
})

describe('logs never contain tokens, keys or passwords', () => {
  const SECRETS = {
    jwt: 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1c2VyIn0.c2lnbmF0dXJlc2lnbmF0dXJl',
    awsKeyId: 'AKIAIOSFODNN7EXAMPLE',
    awsSecret: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    awsSession: 'FwoGZXIvYXdzEBYaDHVzZXNzaW9udG9rZW4',
    bedrockKey: 'ABSKQmVkcm9ja0FQSUtleS1leGFtcGxlLWtleS12YWx1ZQ==',
    natsToken: 's3cr3t-nats-token-value',
    natsPassword: 'nats-pa55word',
    natsSeed: `SUA${'B'.repeat(55)}`,
    openaiKey: 'sk-proj-abcdefghijklmnopqrstuvwx',
    dbPassword: 'db-pa55word',
  }

  it('censors credentials by field name at any depth, by shape in text, and in query strings', () => {
    const { lines, logger } = capture()
    logger.info(
      {
        url: `/api/sessions/x/events?after=1&access%5Ftoken=${SECRETS.jwt}`,
        env: {
          AWS_ACCESS_KEY_ID: SECRETS.awsKeyId,
          AWS_SECRET_ACCESS_KEY: SECRETS.awsSecret,
          AWS_SESSION_TOKEN: SECRETS.awsSession,
          AWS_BEARER_TOKEN_BEDROCK: SECRETS.bedrockKey,
          NATS_TOKEN: SECRETS.natsToken,
          NATS_PASSWORD: SECRETS.natsPassword,
        },
        provider: { config: { credentials: { secretAccessKey: SECRETS.awsSecret } } },
        nats: { servers: `nats://app:${SECRETS.natsPassword}@127.0.0.1:4222`, nkeySeed: SECRETS.natsSeed },
        note: `seed ${SECRETS.natsSeed} key ${SECRETS.openaiKey} id ${SECRETS.awsKeyId}`,
        usage: { total_tokens: 42 },
      },
      `GET /x?token=${SECRETS.natsToken} failed with password=${SECRETS.dbPassword}`,
    )
    logger.child({ apiKey: SECRETS.openaiKey }).warn('child')
    logger.error(
      {
        err: Object.assign(new Error(`bedrock said no to ${SECRETS.bedrockKey}`), {
          headers: { authorization: `Bearer ${SECRETS.jwt}` },
        }),
      },
      'boom',
    )
    const text = lines.map((l) => JSON.stringify(l)).join('\n')
    for (const [name, secret] of Object.entries(SECRETS)) expect(text, name).not.toContain(secret)
    expect(text).toContain('access%5Ftoken=[REDACTED]')
    expect(lines[0]?.usage).toEqual({ total_tokens: 42 })
    expect(lines[0]?.msg).toMatch(/^GET \/x\?token=\[REDACTED\] failed/)
  })
})

describe('censored fields', () => {
  // What pino's redact paths censored before redactValue alone did: each path, with a value there.
  it('censors every field of REDACTED_PATHS, where pino would have, and deeper', () => {
    const { lines, logger } = capture()
    for (const path of REDACTED_PATHS) {
      const keys = path.split(/\.|(?=\[)/).map((k) => (k === '*' ? 'any' : k.replace(/^\["(.*)"\]$/, '$1')))
      for (const depth of [0, 3]) {
        const object = [
          ...Array.from({ length: depth }, (_, i) => `level${i}`),
          ...keys,
        ].reduceRight<unknown>((inner, key) => ({ [key]: inner }), 'hunter2-secret-value')
        logger.info(object as Record<string, unknown>, path)
        logger.child(object as Record<string, unknown>).info(path)
      }
    }
    for (const line of lines) expect(JSON.stringify(line), String(line.msg)).not.toContain('hunter2')
    expect(lines).toHaveLength(REDACTED_PATHS.length * 4)
  })

  it("censors a class instance's secret fields, and what its toJSON answers", () => {
    const { lines, logger } = capture()
    class Client {
      apiKey = 'hunter2-key'
      nested = { password: 'hunter2-password' }
      region = 'eu-west-1'
    }
    class Wrapped {
      toJSON() {
        return { token: 'hunter2-token', kind: 'wrapped' }
      }
    }
    logger.info({ client: new Client(), deeper: { client: new Client() }, wrapped: new Wrapped() }, 'x')
    const line = JSON.stringify(lines[0])
    expect(line).not.toContain('hunter2')
    expect(lines[0]).toMatchObject({ client: { region: 'eu-west-1' }, wrapped: { kind: 'wrapped' } })
  })

  it('leaves text with nothing secret-shaped as it is', () => {
    for (const text of ['0c000000-0000-4000-8000-000000000001', '/api/agents/project', 'request completed'])
      expect(redactText(text)).toBe(text)
  })
})
