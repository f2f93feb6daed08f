const RESULT_OPEN = '<result>'

export interface ReasoningCoalescerOptions {
  /** A chunk is cut once this many characters are pending (at a word boundary when there is one). */
  maxChars?: number
  /** Pending text is sent at most this long after its first character arrived. */
  maxDelayMs?: number
}

/** Length of the longest suffix of `text` that is a proper prefix of `tag` (text that may become the tag). */
function partialTagSuffix(text: string, tag: string): number {
  for (let n = Math.min(tag.length - 1, text.length); n > 0; n--) {
    if (tag.startsWith(text.slice(text.length - n))) return n
  }
  return 0
}

/**
 * Turns a model's token-by-token text deltas into reasoning chunks of a sensible size: one event per
 * ~`maxChars` characters or per `maxDelayMs`, whichever comes first, so a fast model does not produce
 * thousands of events and a slow one still shows progress. The structured `<result>` block a final answer
 * ends with is data for the session result, not prose, and is never sent as reasoning.
 */
export class ReasoningCoalescer {
  readonly #onChunk: (text: string) => void
  readonly #maxChars: number
  readonly #maxDelayMs: number
  #text = ''
  #emitted = 0
  #timer: NodeJS.Timeout | undefined

  constructor(onChunk: (text: string) => void, options: ReasoningCoalescerOptions = {}) {
    this.#onChunk = onChunk
    this.#maxChars = options.maxChars ?? 600
    this.#maxDelayMs = options.maxDelayMs ?? 250
  }

  push(delta: string): void {
    if (!delta) return
    this.#text += delta
    const end = this.#visibleEnd(false)
    while (end - this.#emitted >= this.#maxChars) {
      const before = this.#emitted
      this.#emitUpTo(this.#cutPoint(end))
      if (this.#emitted === before) break
    }
    if (this.#visibleEnd(false) > this.#emitted) {
      this.#timer ??= setTimeout(() => {
        this.#timer = undefined
        this.#emitUpTo(this.#visibleEnd(false))
      }, this.#maxDelayMs)
    }
  }

  /** Sends everything visible so far (before a tool call starts, or when the model's message ends). */
  flush(): void {
    this.#emitUpTo(this.#visibleEnd(false))
  }

  /** The model's message is complete: send the rest of its prose and start afresh. */
  endMessage(): void {
    this.#emitUpTo(this.#visibleEnd(true), true)
    this.#text = ''
    this.#emitted = 0
  }

  dispose(): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
  }

  #visibleEnd(final: boolean): number {
    const open = this.#text.indexOf(RESULT_OPEN)
    if (open >= 0) return open
    return final ? this.#text.length : this.#text.length - partialTagSuffix(this.#text, RESULT_OPEN)
  }

  #cutPoint(end: number): number {
    const limit = this.#emitted + this.#maxChars
    const window = this.#text.slice(this.#emitted, Math.min(end, limit))
    const lastBreak = Math.max(window.lastIndexOf('\n'), window.lastIndexOf(' '))
    // Prefer a word boundary unless it would make the chunk much shorter than the limit.
    return lastBreak >= this.#maxChars / 2 ? this.#emitted + lastBreak + 1 : Math.min(end, limit)
  }

  #emitUpTo(end: number, final = false): void {
    clearTimeout(this.#timer)
    this.#timer = undefined
    if (end <= this.#emitted) return
    let chunk = this.#text.slice(this.#emitted, end)
    if (final) chunk = chunk.trimEnd()
    // Whitespace alone is held back (it separates words of the next chunk) rather than sent on its own.
    if (chunk.trim() === '') {
      if (final) this.#emitted = end
      return
    }
    this.#emitted = end
    this.#onChunk(chunk)
  }
}
