export {
  billableUtilisation,
  type EarnedValue,
  earnedValue,
  lateMilestones,
  overAllocations,
  type ProjectBurn,
  projectBurn,
  type SkillSupply,
  skillSupply,
  type Utilisation,
  type WeeklyLoad,
  weeklyLoads,
} from './analysis.js'
export {
  BLUEBIRD_ORGANISATION_ID,
  DEFAULT_DEMO_USER_EMAIL,
  DEMO_ORGANISATIONS,
  DEMO_SEED,
  DEMO_USERS,
  type DemoOrganisation,
  type DemoOrganisationSlug,
  type DemoUser,
  type DemoUserEmail,
  demoUser,
  NORTHWIND_ORGANISATION_ID,
} from './constants.js'
export {
  DEFAULT_DEMO_TODAY,
  type DemoData,
  type DemoDataOptions,
  demoAnchor,
  generateDemoData,
  type PlantedProblems,
} from './generate.js'
export { demoDataLoaded, type LoadDemoDataOptions, type LoadDemoDataResult, loadDemoData } from './load.js'
export {
  pertExpectedHours,
  pertStdDevHours,
  type QuoteLineEstimate,
  type QuoteTerms,
  type QuoteTotals,
  quoteTotals,
  Z80,
} from './pricing.js'
export { demoDataSeed, sizedDemoDataSeed } from './seed.js'
export type { DemoTableName, DemoTables } from './types.js'
