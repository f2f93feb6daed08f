import { corpusTest } from '@psa/agent-models/testing'
import { quotesCorpus } from './corpus.js'

corpusTest(quotesCorpus)
