import fc from 'fast-check'
import type { DependencyType, ScheduleProblemInput } from '../schedule/model.js'

/** Random scheduling problems: acyclic dependencies of every type with lags (also negative), releases,
 * deadlines, capacity changes; small enough that brute-force references stay cheap. */
export function scheduleProblems(options: { deadlines?: boolean; resources?: boolean } = {}) {
  const types: DependencyType[] = ['finish_to_start', 'start_to_start', 'finish_to_finish', 'start_to_finish']
  return fc
    .integer({ min: 1, max: 9 })
    .chain((n) =>
      fc.record({
        n: fc.constant(n),
        durations: fc.array(fc.integer({ min: 0, max: 6 }), { minLength: n, maxLength: n }),
        releases: fc.array(fc.option(fc.integer({ min: 0, max: 8 }), { nil: undefined }), {
          minLength: n,
          maxLength: n,
        }),
        deadlines: fc.array(fc.option(fc.integer({ min: 0, max: 30 }), { nil: undefined }), {
          minLength: n,
          maxLength: n,
        }),
        arcs: fc.array(
          fc.record({
            a: fc.integer({ min: 0, max: n - 1 }),
            b: fc.integer({ min: 0, max: n - 1 }),
            type: fc.constantFrom(...types),
            lag: fc.integer({ min: -4, max: 4 }),
          }),
          { maxLength: 2 * n },
        ),
        capacities: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 2, maxLength: 2 }),
        demands: fc.array(fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 2, maxLength: 2 }), {
          minLength: n,
          maxLength: n,
        }),
        changes: fc.array(
          fc.record({
            k: fc.integer({ min: 0, max: 1 }),
            from: fc.integer({ min: 0, max: 15 }),
            len: fc.integer({ min: 1, max: 5 }),
            capacity: fc.integer({ min: 0, max: 5 }),
          }),
          { maxLength: 3 },
        ),
      }),
    )
    .map((r): ScheduleProblemInput => {
      const seen = new Set<string>()
      const dependencies = r.arcs.flatMap((x) => {
        // Orient every arc from the lower to the higher index: the graph stays acyclic.
        const [from, to] = x.a < x.b ? [x.a, x.b] : [x.b, x.a]
        if (from === to || seen.has(`${from}-${to}`)) return []
        seen.add(`${from}-${to}`)
        return [{ from: `t${from}`, to: `t${to}`, type: x.type, lag: x.lag }]
      })
      const useResources = options.resources ?? true
      return {
        tasks: r.durations.map((duration, i) => ({
          id: `t${i}`,
          duration,
          ...(r.releases[i] !== undefined ? { release: r.releases[i] } : {}),
          ...(options.deadlines && r.deadlines[i] !== undefined ? { deadline: r.deadlines[i] } : {}),
          demands: useResources
            ? r.demands[i]!.flatMap((a, k) =>
                // Keep demands within the base capacity so a schedule always exists.
                a > 0 ? [{ resource: `r${k}`, amount: Math.min(a, r.capacities[k]!) }] : [],
              )
            : [],
        })),
        dependencies,
        resources: useResources
          ? r.capacities.map((capacity, k) => ({
              id: `r${k}`,
              capacity,
              changes: r.changes
                .filter((c) => c.k === k)
                .map((c) => ({ from: c.from, to: c.from + c.len, capacity: c.capacity })),
            }))
          : [],
      }
    })
}
