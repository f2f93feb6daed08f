import { describe, expect, it } from 'vitest'
import { COMPACT, type PhaseTemplate, TEMPLATE_NAMES, TEMPLATES } from './index.js'

const all: [string, readonly PhaseTemplate[]][] = [
  ...TEMPLATE_NAMES.map((n) => [n, TEMPLATES[n]] as [string, readonly PhaseTemplate[]]),
  ['compact', COMPACT],
]

describe.each(all)('template %s', (_name, phases) => {
  it('splits the whole project between its phases', () => {
    expect(phases.reduce((sum, p) => sum + p.weight, 0)).toBeCloseTo(1, 9)
    expect(new Set(phases.map((p) => p.key)).size).toBe(phases.length)
  })

  it('has tasks whose predecessors are earlier tasks of the same phase and whose spans are ranges', () => {
    for (const phase of phases) {
      const seen = new Set<string>()
      for (const task of phase.tasks) {
        for (const after of task.after ?? [])
          expect(seen).toContain(typeof after === 'string' ? after : after.task)
        if (task.span) expect(task.span[0]).toBeLessThan(task.span[1])
        expect(seen.has(task.key)).toBe(false)
        seen.add(task.key)
      }
    }
  })
})
