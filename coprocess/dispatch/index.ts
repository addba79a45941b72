export { PluginClient, PluginClients, type ReadinessCheck } from './client.js';
export { DispatchError, grpcStatusName, type DispatchFailure } from './errors.js';
export { normaliseTarget, targetProblem } from './target.js';
export { GrpcJsTransport, type DispatchTransport, type TransportOptions } from './transport.js';
