// What other packages' tests take from this one: the request corpus runner and the loopback fake servers
// of the real providers.
export * from '../providers/testing/fake-provider-server.js'
export * from './corpus.js'
