/** Why an attempt stopped before the agent finished on its own. */
export type AttemptStop =
  | { kind: 'cancel'; message: string }
  | { kind: 'timeout' }
  | { kind: 'shutdown' }
  | { kind: 'transient'; error: unknown }
  | { kind: 'stale' }

/**
 * The one cancel signal of an attempt (handed to the Strands agent and every tool), with the first reason it
 * was stopped for: user cancel, timeout, worker shutdown, a transient failure, or a newer attempt owning
 * the session.
 */
export class AttemptControl {
  readonly #controller = new AbortController()
  #stop: AttemptStop | undefined

  get signal(): AbortSignal {
    return this.#controller.signal
  }

  get stopped(): AttemptStop | undefined {
    return this.#stop
  }

  stop(reason: AttemptStop): void {
    if (this.#stop) return
    this.#stop = reason
    this.#controller.abort(new Error(`attempt stopped: ${reason.kind}`))
  }
}

/** The attempts this process is running, by session id (for cancel broadcasts and shutdown hand-back). */
export class RunningAttempts {
  readonly #bySession = new Map<string, AttemptControl>()

  add(sessionId: string, control: AttemptControl): void {
    this.#bySession.set(sessionId, control)
  }

  delete(sessionId: string, control: AttemptControl): void {
    if (this.#bySession.get(sessionId) === control) this.#bySession.delete(sessionId)
  }

  get(sessionId: string): AttemptControl | undefined {
    return this.#bySession.get(sessionId)
  }

  get size(): number {
    return this.#bySession.size
  }

  stopAll(reason: AttemptStop): void {
    for (const control of this.#bySession.values()) control.stop(reason)
  }
}
