export { createTransport, transportFactory, type TransportKind } from './choose.js';
export { PluginClient, PluginClients, type ReadinessCheck } from './client.js';
export { DispatchError, grpcStatusName, statusError, type DispatchFailure } from './errors.js';
export { normaliseTarget, targetProblem } from './target.js';
export { GrpcJsTransport, type DispatchTransport, type TransportOptions } from './transport.js';
export { H2Transport, h2Supports, type H2Tuning } from './h2/index.js';
