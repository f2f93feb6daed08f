import { Writable } from 'node:stream'
import { createLogger, type Logger } from '@psa/config'

const discard = () => new Writable({ write: (_chunk, _encoding, done) => done() })

/** A logger that writes nothing, unless TEST_LOG_LEVEL asks for output while debugging a test. */
export function silentLogger(service = 'test'): Logger {
  const level = process.env.TEST_LOG_LEVEL
  return createLogger({ service, level: level ?? 'silent', ...(level ? {} : { destination: discard() }) })
}

/** Log lines a test can inspect (parsed JSON objects), with nothing written to the console. */
export class LogCapture {
  readonly lines: Record<string, unknown>[] = []
  readonly logger: Logger

  constructor(service: string, level = 'info') {
    const destination = new Writable({
      write: (chunk, _encoding, done) => {
        for (const line of String(chunk).split('\n')) if (line) this.lines.push(JSON.parse(line))
        done()
      },
    })
    this.logger = createLogger({ service, level: level as 'info', destination })
  }
}
