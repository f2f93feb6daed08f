export { JWKS_PATH, type JwksServerMode, type JwksTestServer, startJwksServer } from './jwks-server.js'
