// Loads the agents' request corpora exactly as their corpus tests define them (services/*/corpus.test.ts),
// without vitest: a resolve hook points `vitest` at a stand-in whose describe() runs its body and whose it()
// does nothing, and points the corpora's `@psa/agent-models/testing` at a module that records what each
// corpusTest() call was given. So the bench reads the same requests, contexts and agents the tests check.

import { registerHooks } from 'node:module'
import type { CorpusCase, runCase } from '../src/testing/corpus.js'

export interface LoadedCorpus {
  name: string
  cases: readonly CorpusCase[]
  options: Parameters<typeof runCase>[1]
}

const here = new URL('.', import.meta.url)
const SHIMS: Record<string, string> = {
  vitest: new URL('./vitest-stand-in.ts', here).href,
  '@psa/agent-models/testing': new URL('./recording-testing.ts', here).href,
}

registerHooks({
  resolve(specifier, context, next) {
    const shim = SHIMS[specifier]
    // The recorder itself re-exports the real testing module, so only redirect imports from elsewhere.
    if (shim && context.parentURL !== shim) return { url: shim, shortCircuit: true }
    return next(specifier, context)
  },
})

const CORPUS_FILES = [
  '../../../services/agent-project/src/corpus.test.ts',
  '../../../services/agent-resourcing/src/corpus.test.ts',
  '../../../services/agent-quotes/src/corpus.test.ts',
  '../../../services/orchestrator/src/orchestrator-agent/corpus.test.ts',
]

export async function loadCorpora(): Promise<LoadedCorpus[]> {
  const { recorded } = await import('./recording-testing.js')
  for (const file of CORPUS_FILES) await import(new URL(file, here).href)
  return recorded
}
