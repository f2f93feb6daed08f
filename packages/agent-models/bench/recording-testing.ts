// `@psa/agent-models/testing` for the bench: the real module, but corpusTest() records its corpus.
import type { LoadedCorpus } from './corpora.js'

export * from '../src/testing/index.js'

export const recorded: LoadedCorpus[] = []

export function corpusTest(
  name: string,
  cases: LoadedCorpus['cases'],
  options: LoadedCorpus['options'],
): void {
  recorded.push({ name, cases, options })
}
