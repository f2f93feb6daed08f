/**
 * Money, dates, hours and percentages for one organisation: its currency, in its locale (Intl). Money
 * arrives as integer minor units in strings; the currency says how many minor units make a major one.
 */
export interface Formatter {
  locale: string
  currency: string
  money(minor: string | number | null | undefined, options?: { compact?: boolean }): string
  pct(value: string | number | null | undefined, digits?: number): string
  hours(value: string | number | null | undefined): string
  number(value: string | number | null | undefined, digits?: number): string
  date(iso: string | null | undefined, style?: 'short' | 'medium'): string
  dateTime(iso: string | null | undefined): string
  /** "3 min ago"-style for recent instants. */
  relative(iso: string | null | undefined, now?: number): string
}

const DASH = '—'
const isBlank = (v: unknown): v is null | undefined | '' => v === null || v === undefined || v === ''

export function createFormatter(locale: string, currency: string): Formatter {
  const moneyFormat = new Intl.NumberFormat(locale, { style: 'currency', currency })
  const compactMoney = new Intl.NumberFormat(locale, {
    style: 'currency',
    currency,
    notation: 'compact',
    maximumFractionDigits: 1,
  })
  const fractionDigits = moneyFormat.resolvedOptions().maximumFractionDigits ?? 2
  const divisor = 10 ** fractionDigits
  const pctFormats = new Map<number, Intl.NumberFormat>()
  const pctFormat = (digits: number) => {
    let f = pctFormats.get(digits)
    if (!f) {
      f = new Intl.NumberFormat(locale, {
        style: 'percent',
        maximumFractionDigits: digits,
        minimumFractionDigits: 0,
      })
      pctFormats.set(digits, f)
    }
    return f
  }
  const hoursFormat = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 })
  const dates = {
    short: new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', timeZone: 'UTC' }),
    medium: new Intl.DateTimeFormat(locale, {
      day: 'numeric',
      month: 'short',
      year: 'numeric',
      timeZone: 'UTC',
    }),
  }
  const dateTime = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' })
  const relative = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' })
  return {
    locale,
    currency,
    money(minor, options = {}) {
      if (isBlank(minor)) return DASH
      const major = Number(minor) / divisor
      return (options.compact ? compactMoney : moneyFormat).format(major)
    },
    pct(value, digits = 1) {
      return isBlank(value) ? DASH : pctFormat(digits).format(Number(value) / 100)
    },
    hours(value) {
      return isBlank(value) ? DASH : `${hoursFormat.format(Number(value))} h`
    },
    number(value, digits = 0) {
      return isBlank(value)
        ? DASH
        : new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(Number(value))
    },
    date(iso, style = 'medium') {
      if (isBlank(iso)) return DASH
      // Calendar dates are UTC midnight, formatted in UTC so no time zone moves them a day.
      return dates[style].format(new Date(iso.length === 10 ? `${iso}T00:00:00Z` : iso))
    },
    dateTime(iso) {
      return isBlank(iso) ? DASH : dateTime.format(new Date(iso))
    },
    relative(iso, now = Date.now()) {
      if (isBlank(iso)) return DASH
      const seconds = Math.round((new Date(iso).getTime() - now) / 1000)
      const abs = Math.abs(seconds)
      if (abs < 60) return relative.format(seconds, 'second')
      if (abs < 3600) return relative.format(Math.round(seconds / 60), 'minute')
      if (abs < 86_400) return relative.format(Math.round(seconds / 3600), 'hour')
      return relative.format(Math.round(seconds / 86_400), 'day')
    },
  }
}

/** snake_case column and status names as words: `hours_per_week` -> "Hours per week". */
export function humanize(name: string): string {
  const words = name
    .replace(/_minor$/, '')
    .replace(/_pct$/, ' %')
    .replaceAll('_', ' ')
    .trim()
  return words.charAt(0).toUpperCase() + words.slice(1)
}
