import { describe, expect, it } from 'vitest'
import { RowModel } from './highs.js'
import { highsWorkerReady, solveMipOnWorker } from './highs-worker.js'
import { seededRandom } from './random.js'

/** A market split instance (Cornuéjols & Dawande 1999): 4 equality rows on 32 binaries, hard for branching. */
function marketSplit(): RowModel {
  const rnd = seededRandom(7)
  const m = new RowModel()
  const n = 32
  for (let j = 0; j < n; j++) m.addCol(0, 0, 1, true)
  for (let i = 0; i < 4; i++) {
    const coefs = Array.from({ length: n }, () => rnd.int(100))
    const half = Math.floor(coefs.reduce((a, b) => a + b, 0) / 2)
    m.addRow(
      coefs.map((_, j) => j),
      coefs,
      half,
      half,
    )
  }
  return m
}

/** min x + y subject to 2x + 3y >= 7, x and y whole numbers in [0, 10]: the optimum is 3 (x = 0, y = 3 or x = 2, y = 1). */
function small(): RowModel {
  const m = new RowModel()
  const x = m.addCol(1, 0, 10, true)
  const y = m.addCol(1, 0, 10, true)
  m.addRow([x, y], [2, 3], 7, Number.POSITIVE_INFINITY)
  return m
}

describe('HiGHS on a worker', () => {
  it('solves a MIP and returns its solution', async () => {
    const now = performance.now()
    const run = await solveMipOnWorker(small(), {}, now + 30_000, now + 30_000)
    if (run.kind !== 'answer') throw new Error(`no answer: ${run.kind}`)
    expect(run.answer).toMatchObject({ infeasible: false, optimal: true, dualBound: 3 })
    const [x, y] = run.answer.colValue ?? []
    expect(x! + y!).toBe(3)
    expect(2 * x! + 3 * y!).toBeGreaterThanOrEqual(7)
  })

  it('returns at the deadline while HiGHS still works, and is free again once HiGHS stops itself', async () => {
    expect(await highsWorkerReady(performance.now() + 30_000)).toBe(true)
    const now = performance.now()
    // The deadline has passed already: the caller does not wait, HiGHS runs on to its own limit.
    const late = await solveMipOnWorker(marketSplit(), {}, now + 200, now)
    expect(late).toEqual({ kind: 'late' })
    expect(await solveMipOnWorker(small(), {}, now + 30_000, now + 30_000)).toEqual({ kind: 'busy' })
    expect(await highsWorkerReady(performance.now() + 30_000)).toBe(true)
    const again = await solveMipOnWorker(small(), {}, performance.now() + 30_000, performance.now() + 30_000)
    expect(again).toMatchObject({ kind: 'answer', answer: { optimal: true } })
  })
})
