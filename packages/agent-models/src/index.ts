export { type NamedEntity, type RequestContext, requestContextSchema } from './context.js'
export {
  describeDuration,
  describeGaps,
  describeIntent,
  describeRole,
  describeUnderstanding,
} from './understanding/describe.js'
export { formatMoney } from './understanding/money.js'
export * from './understanding/schema.js'
export { type UnderstandOptions, understand } from './understanding/understand.js'
