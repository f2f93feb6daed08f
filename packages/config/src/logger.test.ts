import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { createLogger, redactText, withLogContext } from './logger.js'

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
