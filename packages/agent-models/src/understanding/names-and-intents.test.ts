import { describe, expect, it } from 'vitest'
import { TEST_CONTEXT } from './test-context.js'
import { understand } from './understand.js'

const u = (text: string, context: object = TEST_CONTEXT, agentType: Parameters<typeof understand>[2] = {}) =>
  understand(text, context, agentType)

describe('known names', () => {
  it.each([
    ['how is acme doing', 'client', 'c-acme', 'exact'],
    ['how is ACME CORP doing', 'client', 'c-acme', 'exact'],
    ["how's Acme Corp's project going", 'client', 'c-acme', 'exact'],
    ['how is Umbrela Health doing', 'client', 'c-umbrella', 'fuzzy'],
    ['how is Globex doing', 'client', 'c-globex', 'partial'],
    ['how is Globex Industires doing', 'client', 'c-globex', 'fuzzy'],
    ['how is Initrode doing', 'client', 'c-initech', 'exact'],
    ['status of the Globex ERP migration', 'project', 'p-globex-erp', 'exact'],
    ['status of the Globex migration', 'project', 'p-globex-erp', 'partial'],
    ['Can Priya take it?', 'person', 'u-priya', 'partial'],
    ['book Tom Becker', 'person', 'u-tom', 'exact'],
  ])('%s', (text, kind, id, match) => {
    const mention = u(text).entities.find((e) => e.match !== 'inferred')
    expect(mention).toMatchObject({ kind, id, match })
  })

  it('reports a fuzzy reading in the notes', () => {
    expect(u('how is Umbrela Health doing').notes).toContain('I read "Umbrela Health" as "Umbrella Health".')
  })

  it('infers the client from a named project', () => {
    const { summary } = u('how is the Globex ERP migration doing')
    expect(summary.project?.id).toBe('p-globex-erp')
    expect(summary.client).toMatchObject({ id: 'c-globex', match: 'inferred' })
  })

  it('flags ambiguous names and picks one deterministically', () => {
    const context = {
      ...TEST_CONTEXT,
      clients: [
        { id: 'a1', name: 'Acme Corp' },
        { id: 'a2', name: 'Acme Ltd' },
      ],
    }
    const first = u('how is Acme doing', context)
    expect(first.summary.client?.alternatives).toHaveLength(1)
    expect(first.notes.some((n) => n.includes('could mean'))).toBe(true)
    expect(u('how is Acme doing', context)).toEqual(first)
  })

  it('does not match lower-case common words or short typos to names', () => {
    expect(u('how is globe doing').entities).toEqual([])
    expect(u('please find someone').entities).toEqual([])
  })

  it('reports unknown names as not understood instead of guessing', () => {
    const result = u('how is Hooli doing?')
    expect(result.intent).toBe('status_check')
    expect(result.unparsed.map((f) => f.text)).toEqual(['Hooli'])
    expect(result.missing.map((m) => m.field)).toEqual(['project'])
  })

  it('finds quote references from the context and by shape', () => {
    expect(u('convert Q-2026-017').quoteReferences[0]).toMatchObject({ reference: 'Q-2026-017', id: 'q-17' })
    expect(u('revise quote #42 v3').quoteReferences[0]).toMatchObject({
      reference: '#42',
      version: 3,
      id: null,
    })
    expect(u('revise quote Q-2027-003').quoteReferences[0]).toMatchObject({
      reference: 'Q-2027-003',
      id: null,
    })
  })
})

describe('intents', () => {
  it.each([
    ['Plan a website rebuild for Acme', 'plan'],
    ['Can you put together a project plan for Globex?', 'plan'],
    ['Replan the Globex ERP migration starting next month', 'replan'],
    ['schedule the Acme rebuild', 'plan'],
    ["What's the status of Acme?", 'status_check'],
    ['Is the Globex ERP migration on track?', 'status_check'],
    ['How are things with Initech going?', 'status_check'],
    ['give me an update on Globex', 'status_check'],
    ['Who is available for React work next month?', 'find_candidates'],
    ['Find candidates for a senior designer', 'find_candidates'],
    ['suggest people for the Acme QA role', 'find_candidates'],
    ['Staff the Acme rebuild', 'staff'],
    ['assign Priya to Globex from next Monday', 'staff'],
    ['Quote 120 hours of QA', 'quote'],
    ['price up 3 months of a senior dev', 'quote'],
    ['Revise the Acme quote: drop design to 60h', 'revise_quote'],
    ['update quote #42 with a 10% discount', 'revise_quote'],
    ['Convert the won Acme quote into a project', 'convert_quote'],
    ['the Acme quote was won, set it up', 'convert_quote'],
    ['set up, staff and quote the Acme rebuild', 'setup_staff_quote'],
    ['plan and quote a 6-week discovery for Umbrella Health', 'setup_staff_quote'],
    ['Plan, staff and price up the Globex migration', 'setup_staff_quote'],
  ])('%s -> %s', (text, intent) => {
    expect(u(text).intent).toBe(intent)
  })

  it('prefers the handling agent when the request fits several', () => {
    const text = 'who can staff the Acme quote?'
    expect(u(text).intent).toBe('find_candidates')
    expect(u(text, TEST_CONTEXT, { agentType: 'quotes' }).intent).toBe('quote')
  })

  it('says when a request is for another agent', () => {
    const result = u('how is Acme doing?', TEST_CONTEXT, { agentType: 'quotes' })
    expect(result.intent).toBe('status_check')
    expect(result.notes).toContain(
      'This reads as a project management request (status check), not one for the quotes agent.',
    )
  })
})

describe('flags', () => {
  it.each([
    ['use the client rate card', 'clientRateCard'],
    ["use Acme's rate card", 'clientRateCard'],
    ['at our standard rates', 'standardRateCard'],
    ['and auto-apply', 'autoApply'],
    ['apply it automatically', 'autoApply'],
    ['apply the changes directly', 'autoApply'],
    ['without pushing anyone past their utilisation target', 'respectUtilisationTarget'],
    ['within their utilization targets', 'respectUtilisationTarget'],
    ['soft-book them', 'softBooking'],
    ['tentatively book', 'softBooking'],
    ['as a hard booking', 'hardBooking'],
    ['on a T&M basis', 'timeAndMaterials'],
    ['time and materials', 'timeAndMaterials'],
    ['fixed-fee', 'fixedFee'],
    ['monthly retainer', 'retainer'],
    ['at the lowest cost', 'costObjective'],
    ['as cheaply as possible', 'costObjective'],
    ['best fit first', 'fitObjective'],
    ['maximise skill fit', 'fitObjective'],
    ['balancing utilisation', 'balanceObjective'],
    ['spread the load evenly', 'balanceObjective'],
  ])('%s', (text, flag) => {
    expect(u(text).flagSpans.map((f) => f.flag)).toEqual([flag])
  })

  it('summarises flags', () => {
    const { flags } = u("Quote at Acme's rate card, fixed fee, soft-book the team and auto-apply")
    expect(flags).toEqual({
      clientRateCard: true,
      standardRateCard: false,
      autoApply: true,
      respectUtilisationTarget: false,
      booking: 'soft',
      billingModel: 'fixed_fee',
      staffingObjective: null,
    })
  })

  it('reads the staffing objective, the first one named winning', () => {
    expect(u('Staff NW-304 at the lowest cost').flags.staffingObjective).toBe('cost')
    expect(u("fill Cedar Health's open requests, best fit first").flags.staffingObjective).toBe('fit')
    expect(u('staff everything open balancing utilisation').flags.staffingObjective).toBe('balance')
    expect(u('staff NW-304 best fit first, then at the lowest cost').flags.staffingObjective).toBe('fit')
    expect(u('Staff NW-304').flags.staffingObjective).toBeNull()
    // The whole request is understood: nothing is left over as "did not understand".
    const fill = u("fill Umbrella Health's open requests, best fit first")
    expect(fill.intent).toBe('staff')
    expect(fill.unparsed).toEqual([])
  })

  it('warns when auto-apply is asked for but not allowed', () => {
    const result = u('Staff the Acme rebuild and auto-apply', { ...TEST_CONTEXT, autoApplyAllowed: false })
    expect(result.notes).toContain(
      'You asked me to auto-apply, but your role does not allow it; I will only propose changes.',
    )
  })
})
