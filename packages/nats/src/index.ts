export {
  type ConnectNatsOptions,
  connectNats,
  type NatsClients,
  type NatsEnv,
  natsEnvSchema,
} from './connection.js'
