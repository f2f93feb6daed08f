export {
  checkNats,
  checkPostgres,
  type DependencyProblem,
  START_NATS,
  START_POSTGRES,
} from './dependencies.js'
export {
  DEFAULT_PORTS,
  freeStackPorts,
  type StackPorts,
  type StackService,
  type StackSettings,
  stackServices,
} from './services.js'
export { banner, checkDependencies, type RunningStack, startStack } from './stack.js'
export { type ServiceSpec, Supervisor, type SupervisorEvent, type SupervisorOptions } from './supervisor.js'
