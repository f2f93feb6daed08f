// Property tests explore new random cases on every local run, but CI gates a merge: there one fixed seed
// (or FC_SEED, to replay a failure fast-check printed) keeps a green run green. A failure found locally is
// pinned as an explicit regression test next to the property.
import fc from 'fast-check'

const fromEnv = process.env.FC_SEED ? Number(process.env.FC_SEED) : undefined
const seed = fromEnv ?? (process.env.CI ? 20261202 : undefined)
if (seed !== undefined) fc.configureGlobal({ seed })
