import { uniformInt } from 'pure-rand/distribution/uniformInt'
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus'
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator'

/** FNV-1a: turns a textual seed into the 32-bit integer the generator wants. */
function hashSeed(text: string): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return hash | 0
}

/**
 * A seeded random stream. Each concern of the generator draws from its own stream (seed + key), so adding a
 * draw in one place does not reshuffle everything else.
 */
export class Random {
  readonly #rng: RandomGenerator

  constructor(seed: string, key: string) {
    this.#rng = xoroshiro128plus(hashSeed(`${seed}/${key}`))
  }

  /** An integer in [from, to], both included. */
  int(from: number, to: number): number {
    return uniformInt(this.#rng, from, to)
  }

  /** A float in [0, 1). */
  float(): number {
    return uniformInt(this.#rng, 0, 0xffff_ffff) / 0x1_0000_0000
  }

  chance(probability: number): boolean {
    return this.float() < probability
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('cannot pick from an empty list')
    return items[this.int(0, items.length - 1)] as T
  }

  shuffle<T>(items: readonly T[]): T[] {
    const out = [...items]
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(0, i)
      ;[out[i], out[j]] = [out[j] as T, out[i] as T]
    }
    return out
  }
}
