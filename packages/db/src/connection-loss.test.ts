import { describe, expect, it } from 'vitest'
import { isConnectionLoss, plainTcpUrl } from './connection-loss.js'

describe('connection loss', () => {
  it('tells a lost connection from an error the server answered', () => {
    for (const code of ['ECONNRESET', 'CONNECTION_CLOSED', 'CONNECTION_DESTROYED', '57P01', '08006']) {
      expect(isConnectionLoss({ code }), code).toBe(true)
    }
    for (const err of [{ code: '23505' }, { code: '57014' }, new Error('x'), null, undefined, 'ECONNRESET']) {
      expect(isConnectionLoss(err)).toBe(false)
    }
  })

  it('stands in for postgres.js’s socket only for a plain TCP connection to one host', () => {
    expect(plainTcpUrl('postgres://postgres@127.0.0.1:5432/psa')).toBe(true)
    expect(plainTcpUrl('postgres://u:p@db.example.com/psa?sslmode=disable')).toBe(true)
    expect(plainTcpUrl('postgres://u:p@db.example.com:6543/postgres?sslmode=require')).toBe(false)
    expect(plainTcpUrl('postgres://u@h1:5432,h2:5432/psa')).toBe(false)
    expect(plainTcpUrl('postgres://u@/psa?host=/var/run/postgresql')).toBe(false)
    expect(plainTcpUrl('not a url')).toBe(false)
  })
})
