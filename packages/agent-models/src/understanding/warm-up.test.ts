import { describe, expect, it } from 'vitest'
import { OfflineModel } from '../offline/offline-model.js'
import { TEST_CONTEXT } from './test-context.js'
import { understand } from './understand.js'
import { warmUpUnderstanding } from './warm-up.js'

describe('warming up the request parser', () => {
  it('changes no understanding (its caches are keyed by their inputs)', () => {
    const text = 'Quote 200h senior dev + 80h design for Acme at 30% margin, client rate card'
    const before = understand(text, TEST_CONTEXT, { agentType: 'quotes' })
    const ms = warmUpUnderstanding()
    expect(Number.isFinite(ms)).toBe(true)
    expect(understand(text, TEST_CONTEXT, { agentType: 'quotes' })).toEqual(before)
    expect(new OfflineModel().warmUp()).toBeGreaterThan(0)
    expect(understand(text, TEST_CONTEXT, { agentType: 'quotes' })).toEqual(before)
  })
})
