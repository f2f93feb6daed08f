import { once } from 'node:events'
import { type AddressInfo, createServer, type Server, Socket } from 'node:net'

/**
 * A loopback proxy to Postgres that counts round trips on the wire: a client's turn is a write after the
 * server answered (statements a client pipelines travel in one turn). For budgets in round trips, which
 * matter more than statements: each one is a wait, a wake-up and a packet on either side.
 */
export class TurnCounter {
  turns = 0
  readonly #sockets = new Set<Socket>()

  private constructor(
    readonly port: number,
    private readonly server: Server,
  ) {}

  static async start(target: { host: string; port: number }): Promise<TurnCounter> {
    let counter: TurnCounter | undefined
    const server = createServer((client) => counter?.accept(client, target))
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    counter = new TurnCounter((server.address() as AddressInfo).port, server)
    return counter
  }

  /** `url` with its host and port replaced by the counter's. */
  url(url: string): string {
    const u = new URL(url)
    u.hostname = '127.0.0.1'
    u.port = String(this.port)
    return u.toString()
  }

  accept(client: Socket, target: { host: string; port: number }): void {
    let answered = true
    const upstream = new Socket()
    upstream.connect(target.port, target.host)
    for (const s of [client, upstream]) this.#sockets.add(s)
    client.on('data', (chunk) => {
      if (answered) this.turns++
      answered = false
      upstream.write(chunk)
    })
    upstream.on('data', (chunk) => {
      answered = true
      client.write(chunk)
    })
    client.on('close', () => upstream.destroy())
    upstream.on('close', () => client.destroy())
    client.on('error', () => {})
    upstream.on('error', () => {})
  }

  close(): void {
    for (const s of this.#sockets) s.destroy()
    this.server.close()
  }
}
