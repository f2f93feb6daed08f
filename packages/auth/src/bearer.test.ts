import { describe, expect, it } from 'vitest'
import { extractBearerToken } from './bearer.js'
import { reasonOf } from './test-support.js'

const JWT = 'eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl'

function failure(value: Parameters<typeof extractBearerToken>[0]) {
  try {
    extractBearerToken(value)
  } catch (err) {
    return err as { code: string; details: unknown }
  }
  throw new Error('expected extractBearerToken to throw')
}

describe('extractBearerToken', () => {
  it('takes the token from an HTTP header, any scheme case, surrounding spaces ignored', () => {
    expect(extractBearerToken(`Bearer ${JWT}`)).toBe(JWT)
    expect(extractBearerToken(`bearer ${JWT}`)).toBe(JWT)
    expect(extractBearerToken(`BEARER   ${JWT}  `)).toBe(JWT)
  })

  it('takes the token from gRPC metadata values (strings or Buffers)', () => {
    expect(extractBearerToken([`Bearer ${JWT}`])).toBe(JWT)
    expect(extractBearerToken([Buffer.from(`Bearer ${JWT}`)])).toBe(JWT)
    expect(extractBearerToken(Buffer.from(`Bearer ${JWT}`))).toBe(JWT)
  })

  it('reports a missing token as missing_token', () => {
    for (const value of [undefined, null, '', '   ', []]) {
      const err = failure(value)
      expect(err.code).toBe('UNAUTHENTICATED')
      expect(err.details).toEqual({ reason: 'missing_token' })
    }
  })

  it('refuses anything but exactly one Bearer credential', () => {
    const bad = [
      JWT, // no Bearer prefix
      `Basic ${Buffer.from('ann:secret').toString('base64')}`,
      `Token ${JWT}`,
      'Bearer',
      'Bearer ',
      `Bearer${JWT}`,
      `Bearer ${JWT} extra`,
      `Bearer ${JWT}, Bearer ${JWT}`,
      `Bearer "${JWT}"`,
      [`Bearer ${JWT}`, `Bearer ${JWT}`],
    ]
    for (const value of bad) expect(reasonOf(failure(value) as never)).toBe('invalid_authorization_header')
  })

  it('refuses absurdly long headers before looking at them', () => {
    expect(reasonOf(failure(`Bearer ${'a'.repeat(20_000)}`) as never)).toBe('malformed_token')
  })
})
