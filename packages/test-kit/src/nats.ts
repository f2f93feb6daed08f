import { randomBytes } from 'node:crypto'

export const TEST_NATS_URL = process.env.NATS_URL ?? 'nats://127.0.0.1:4222'

/**
 * A pipeline namespace (PIPELINE_NAMESPACE) of its own for one test file or harness: the streams, subjects
 * and consumers it creates are seen by no other test. Whoever starts a pipeline on it deletes its topology
 * when done.
 */
export function testNamespace(prefix = 't'): string {
  return `${prefix}_${randomBytes(5).toString('hex')}`
}
