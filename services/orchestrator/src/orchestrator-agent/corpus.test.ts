import { corpusTest } from '@psa/agent-models/testing'
import { orchestratorCorpus } from './corpus.js'

corpusTest(orchestratorCorpus)
