import { describe, expect, it } from 'vitest'
import { possibleRoles } from './roles.js'
import { TEST_CONTEXT } from './test-context.js'
import { understand } from './understand.js'

const developer = (text: string) => understand(text, TEST_CONTEXT).roles[0]

describe('caches of the role and name readers', () => {
  it('describes each role list by its contents: a later, different list is not answered from the cache', () => {
    const mention = developer('200h developer')
    if (!mention) throw new Error('no role read')
    const first = possibleRoles(mention, { roles: ['Senior Developer', 'Developer', 'Designer'] })
    const again = possibleRoles(mention, { roles: ['Senior Developer', 'Developer', 'Designer'] })
    const other = possibleRoles(mention, { roles: ['Lead Developer', 'QA Engineer'] })
    expect(first).toEqual(['Senior Developer', 'Developer'])
    expect(again).toEqual(first)
    expect(other).toEqual(['Lead Developer'])
  })

  it('gives the same understanding on a repeat, and for another context the other context’s names', () => {
    const text = 'Quote 200h senior dev + 80h design for Acme at 30% margin'
    const first = understand(text, TEST_CONTEXT)
    expect(understand(text, TEST_CONTEXT)).toEqual(first)
    const renamed = understand(text, {
      ...TEST_CONTEXT,
      clients: [{ id: 'c-acme-2', name: 'Acme Holdings' }],
      roles: ['Senior Engineer'],
    })
    expect(renamed.entities.map((e) => e.id)).toEqual(['c-acme-2'])
    expect(renamed.roles.map((r) => r.knownRole)).toEqual(['Senior Engineer', null])
    expect(first.roles.map((r) => r.knownRole)).toEqual(['Senior Developer', 'Designer'])
  })
})
