import { corpusTest } from '@psa/agent-models/testing'
import { resourcingCorpus } from './corpus.js'

corpusTest(resourcingCorpus)
