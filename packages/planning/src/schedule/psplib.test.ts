import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { FormatError } from '../formats/format-error.js'
import { parsePsplib } from '../formats/psplib.js'
import { checkSchedule } from './check.js'
import { levelSchedule } from './level.js'

const testdata = join(import.meta.dirname, '../testdata')

describe('PSPLIB j30 regression', () => {
  for (const [file, optimum] of [
    ['j301_1.sm', 43],
    ['j3011_2.sm', 56],
    ['j3041_5.sm', 99],
  ] as const) {
    it(`${file} reaches its proven optimum ${optimum}`, async () => {
      const problem = parsePsplib(readFileSync(join(testdata, file), 'utf8'))
      const r = await levelSchedule(problem, { timeLimitMs: 3000, maxSchedules: 20_000, exact: 'off' })
      if (!r.feasible) throw new Error(r.message)
      expect(checkSchedule(problem, r.starts)).toEqual([])
      expect(r.makespan).toBe(optimum)
      expect(Object.keys(r.starts)).toHaveLength(32)
    })
  }

  it('names the line of a malformed file', () => {
    const text = readFileSync(join(testdata, 'j301_1.sm'), 'utf8').replace(
      '  5      1     3',
      '  5      1     x',
    )
    expect(() => parsePsplib(text)).toThrow(FormatError)
    try {
      parsePsplib(text)
    } catch (err) {
      expect((err as FormatError).line).toBe(
        text.split('\n').findIndex((l) => l.startsWith('  5      1     x')) + 1,
      )
    }
  })
})
