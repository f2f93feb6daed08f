import { AppError } from '@psa/errors'
import { type AgentRequest, type AgentResponse, MAX_SUBMIT_ITEMS, type SubmitItem } from '@psa/proto'
import { describe, expect, it } from 'vitest'
import { MAX_BATCH_WEIGHT, SubmitBatcher, weightOf } from './submit-batch.js'

const request = (text: string) => ({ request: text }) as AgentRequest
const response = (id: string) => ({ sessionId: id }) as AgentResponse

describe('SubmitBatcher', () => {
  it("sends one turn's submits as one call and answers each with its own outcome", async () => {
    const calls: SubmitItem[][] = []
    const batcher = new SubmitBatcher(async (items) => {
      calls.push(items)
      return {
        outcomes: items.map((item) =>
          item.request?.request === 'refuse'
            ? {
                outcome: {
                  $case: 'error' as const,
                  value: {
                    grpcCode: 8,
                    message: 'You already have 3 requests queued or running (limit 3)',
                    code: 'TOO_MANY_IN_FLIGHT',
                    detailsJson: Buffer.from(JSON.stringify({ in_flight: 3, limit: 3 })),
                  },
                },
              }
            : { outcome: { $case: 'response' as const, value: response(item.request?.request ?? '') } },
        ),
      }
    })
    const answers = await Promise.allSettled([
      batcher.submit('Bearer a', 'tp-a', request('a'), 40),
      batcher.submit('Bearer b', 'tp-b', request('refuse'), 40),
      batcher.submit('Bearer c', 'tp-c', request('c'), 40),
    ])
    expect(calls).toHaveLength(1)
    expect(calls[0]?.map((i) => [i.authorization, i.traceparent])).toEqual([
      ['Bearer a', 'tp-a'],
      ['Bearer b', 'tp-b'],
      ['Bearer c', 'tp-c'],
    ])
    expect(answers[0]).toEqual({ status: 'fulfilled', value: response('a') })
    expect(answers[2]).toEqual({ status: 'fulfilled', value: response('c') })
    const refused = (answers[1] as PromiseRejectedResult).reason
    expect(refused).toBeInstanceOf(AppError)
    expect(refused).toMatchObject({ code: 'TOO_MANY_IN_FLIGHT', details: { in_flight: 3, limit: 3 } })

    // The next turn's submit is a call of its own.
    await batcher.submit('Bearer d', 'tp-d', request('d'), 40)
    expect(calls).toHaveLength(2)
  })

  it(`sends at most ${MAX_SUBMIT_ITEMS} items per call, and a failed call fails each of its items`, async () => {
    const sizes: number[] = []
    const batcher = new SubmitBatcher(async (items) => {
      sizes.push(items.length)
      throw new AppError('UNAVAILABLE', 'The agent service is unavailable; try again shortly')
    })
    const answers = await Promise.allSettled(
      Array.from({ length: MAX_SUBMIT_ITEMS + 3 }, (_, i) =>
        batcher.submit('Bearer x', '', request(`${i}`), 40),
      ),
    )
    expect(sizes).toEqual([MAX_SUBMIT_ITEMS, 3])
    for (const answer of answers)
      expect(answer).toMatchObject({ status: 'rejected', reason: { code: 'UNAVAILABLE' } })
  })

  it('starts another call before an item that would make the call heavier than MAX_BATCH_WEIGHT', async () => {
    const sizes: number[] = []
    const batcher = new SubmitBatcher(async (items) => {
      sizes.push(items.length)
      return {
        outcomes: items.map(() => ({ outcome: { $case: 'response' as const, value: response('x') } })),
      }
    })
    // Bodies of 10 KiB weigh 60 KiB and more each: two fit a call, the third starts the next; one heavier
    // than the limit on its own still goes, alone, as a SubmitRequest of its own would, and the light one
    // after it in a call of its own.
    const kib = 1024
    await Promise.all([
      batcher.submit('Bearer a', '', request('a'), 10 * kib),
      batcher.submit('Bearer b', '', request('b'), 10 * kib),
      batcher.submit('Bearer c', '', request('c'), 10 * kib),
      batcher.submit('Bearer d', '', request('d'), MAX_BATCH_WEIGHT),
      batcher.submit('Bearer e', '', request('e'), 40),
    ])
    expect(sizes).toEqual([2, 1, 1, 1])
    expect(weightOf(10 * kib, 'Bearer a', '')).toBeGreaterThan(MAX_BATCH_WEIGHT / 3)
  })

  it('refuses an item the answer left out rather than leaving it waiting', async () => {
    const batcher = new SubmitBatcher(async () => ({ outcomes: [] }))
    await expect(batcher.submit('Bearer x', '', request('x'), 40)).rejects.toMatchObject({ code: 'INTERNAL' })
  })
})
