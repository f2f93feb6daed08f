import { corpusTest } from '@psa/agent-models/testing'
import { projectCorpus } from './corpus.js'

corpusTest(projectCorpus)
