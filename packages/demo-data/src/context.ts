import { addDays, type IsoDate } from '@psa/calendar'
import type { DemoOrganisation } from './constants.js'
import { demoId } from './ids.js'
import { Random } from './random.js'
import type { DemoTables } from './types.js'

/** What every part of an organisation's builder needs: stable ids, seeded randomness, the anchor, the rows. */
export class OrgContext {
  constructor(
    readonly seed: string,
    /** Monday of the current week: "today" for the data set. */
    readonly anchor: IsoDate,
    readonly organisation: DemoOrganisation,
    readonly tables: DemoTables,
  ) {}

  get orgId(): string {
    return this.organisation.id
  }

  id(key: string): string {
    return demoId(this.seed, `${this.organisation.slug}/${key}`)
  }

  random(key: string): Random {
    return new Random(this.seed, `${this.organisation.slug}/${key}`)
  }

  // Week boundaries are asked for per slot and week all over the builders: computed once each.
  readonly #days = new Map<number, IsoDate>()

  /** Monday of the week `offset` weeks from the anchor's. */
  monday(offset: number): IsoDate {
    return this.day(offset * 7)
  }

  /** Friday of the week `offset` weeks from the anchor's. */
  friday(offset: number): IsoDate {
    return this.day(offset * 7 + 4)
  }

  day(offset: number): IsoDate {
    let date = this.#days.get(offset)
    if (date === undefined) {
      date = addDays(this.anchor, offset)
      this.#days.set(offset, date)
    }
    return date
  }
}
