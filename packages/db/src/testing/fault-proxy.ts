import { once } from 'node:events'
import { type AddressInfo, createConnection, createServer, type Server, type Socket } from 'node:net'

/**
 * What the proxy does to traffic: `up` forwards it; `stopped` is a dead server (every connection reset,
 * new ones reset at once, as the services see a stopped or restarting Postgres); `paused` is a frozen one
 * (SIGSTOP: connections open and accepted, not a byte delivered either way until it resumes).
 */
export type FaultMode = 'up' | 'stopped' | 'paused'

/** Bytes held while paused, per direction of one connection, delivered in order on resume. */
interface Pipe {
  client: Socket
  upstream: Socket | undefined
  toUpstream: Buffer[]
  toClient: Buffer[]
  /** The server has sent something since the client last wrote: the client's next write is a new turn. */
  answered: boolean
}

/**
 * A loopback TCP proxy between services and a server they depend on (Postgres in the fault suites and the
 * round-trip budgets), so a test can stop or freeze that server for its own clients only, drop a connection
 * in the middle of what a client sends, or count the client's round trips: the machine's shared server
 * keeps running for everyone else. Forwarding is by hand (not `pipe`), so a paused connection holds every
 * byte.
 */
export class FaultProxy {
  readonly #pipes = new Set<Pipe>()
  #mode: FaultMode = 'up'
  #server: Server | undefined
  #dropNext: 'reset' | 'close' | undefined
  /** Connections reset while stopped, and connections accepted in all (for the suite's report). */
  readonly counts = { accepted: 0, reset: 0 }
  /**
   * Round trips on the wire, over all connections: a client's turn is a write after the server answered
   * (statements a client pipelines travel in one turn). Budgets count these rather than statements: each
   * is a wait, a wake-up and a packet on either side.
   */
  turns = 0

  private constructor(
    private readonly target: { host: string; port: number },
    readonly port: number,
  ) {}

  /** Listens on a free loopback port and forwards to `target`. */
  static async start(target: { host: string; port: number }): Promise<FaultProxy> {
    let proxy: FaultProxy | undefined
    const server = createServer((client) => proxy?.accept(client))
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    proxy = new FaultProxy(target, (server.address() as AddressInfo).port)
    proxy.#server = server
    return proxy
  }

  get mode(): FaultMode {
    return this.#mode
  }

  /** `url` with its host and port replaced by the proxy's. */
  url(url: string): string {
    const u = new URL(url)
    u.hostname = '127.0.0.1'
    u.port = String(this.port)
    return u.toString()
  }

  /**
   * Drops every connection, with a reset (a crashed server or a broken network) or a close (a server shut
   * down); until `resume`, new ones are reset as soon as they arrive.
   */
  stop(how: 'reset' | 'close' = 'reset'): void {
    this.#mode = 'stopped'
    for (const pipe of this.#pipes) {
      if (how === 'reset') this.#reset(pipe)
      else this.#end(pipe)
    }
  }

  /**
   * Drops the connection the next client write arrives on, instead of forwarding that write (with a
   * reset or a close, as `stop`): a connection lost in the middle of a pipeline. Once; the rest go on.
   */
  dropNextWrite(how: 'reset' | 'close'): void {
    this.#dropNext = how
  }

  /** Freezes every connection (and accepts new ones, frozen) until `resume`. */
  pause(): void {
    this.#mode = 'paused'
  }

  /** Forwards again: bytes held while paused go first, in order. */
  resume(): void {
    this.#mode = 'up'
    for (const pipe of this.#pipes) {
      if (!pipe.upstream) this.#connect(pipe)
      this.#flush(pipe)
    }
  }

  async close(): Promise<void> {
    for (const pipe of this.#pipes) this.#reset(pipe)
    const server = this.#server
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()))
  }

  private accept(client: Socket): void {
    this.counts.accepted++
    const pipe: Pipe = { client, upstream: undefined, toUpstream: [], toClient: [], answered: true }
    this.#pipes.add(pipe)
    client.on('error', () => this.#reset(pipe))
    client.on('close', () => this.#end(pipe))
    client.on('data', (chunk) => {
      const drop = this.#dropNext
      if (drop) {
        this.#dropNext = undefined
        if (drop === 'reset') this.#reset(pipe)
        else this.#end(pipe)
        return
      }
      if (pipe.answered) this.turns++
      pipe.answered = false
      pipe.toUpstream.push(chunk)
      this.#flush(pipe)
    })
    if (this.#mode === 'stopped') this.#reset(pipe)
    // A frozen server's kernel still completes the handshake; the upstream connection waits for resume.
    else if (this.#mode === 'up') this.#connect(pipe)
  }

  #connect(pipe: Pipe): void {
    const upstream = createConnection(this.target)
    pipe.upstream = upstream
    upstream.setNoDelay(true)
    pipe.client.setNoDelay(true)
    upstream.once('connect', () => this.#flush(pipe))
    upstream.on('error', () => this.#reset(pipe))
    upstream.on('close', () => this.#end(pipe))
    upstream.on('data', (chunk) => {
      pipe.answered = true
      pipe.toClient.push(chunk)
      this.#flush(pipe)
    })
  }

  #flush(pipe: Pipe): void {
    if (this.#mode !== 'up') return
    const { upstream, client } = pipe
    if (upstream && !upstream.connecting) {
      for (const chunk of pipe.toUpstream.splice(0)) upstream.write(chunk)
    }
    for (const chunk of pipe.toClient.splice(0)) client.write(chunk)
  }

  #reset(pipe: Pipe): void {
    if (!this.#pipes.delete(pipe)) return
    this.counts.reset++
    pipe.client.resetAndDestroy()
    pipe.upstream?.resetAndDestroy()
  }

  /** One side closed: close the other. */
  #end(pipe: Pipe): void {
    if (!this.#pipes.delete(pipe)) return
    pipe.client.destroy()
    pipe.upstream?.destroy()
  }
}
