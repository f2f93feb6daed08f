// What other packages' tests take from this one: the request corpus runner and the loopback fake servers
// of the real providers.
export * from '../providers/testing/fake-provider-server.js'
export * from '../providers/testing/published-tools.js'
export * from '../providers/testing/scripted-provider.js'
export * from '../providers/testing/wire-requests.js'
export * from './corpus.js'
