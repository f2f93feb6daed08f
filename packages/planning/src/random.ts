import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64'
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus'

/** A seeded pseudo-random source: every search in this package is reproducible from its seed. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number
  /** Uniform integer in [0, n). */
  int(n: number): number
}

export function seededRandom(seed: number): Random {
  const rng = xoroshiro128plus(seed | 0)
  const next = () => uniformFloat64(rng)
  return { next, int: (n) => Math.floor(next() * n) }
}
