/**
 * `hookgate/sdk/testing`: test plugins without a gateway, Redis or network. Describe a request
 * with `hookRequest()`, call a hook `inProcess(plugin)` or `overWire(plugin)` (a real gRPC server
 * on an ephemeral port), and assert on the typed result: allowed or denied, status, session,
 * metadata, header/param/body changes. No test-runner imports: works with node:test, vitest, jest.
 * See docs/sdk.md.
 */
export { eventPayload, PluginCallError, type CallOptions, type EventInit, type PluginClient } from './client.js';
export { goJsonMarshal } from './go-json.js';
export { inProcess, type InProcessOptions } from './in-process.js';
export { hookRequest, RequestBuilder, type UpstreamResponseInit } from './request-builder.js';
export { evaluateReply, type HookResult, type RequestChanges, type ResponseChanges } from './result.js';
export { connect, dispatcherClient, overWire, type ConnectOptions } from './wire.js';
export { startGateway, type GatewayHarness, type GatewayHarnessOptions, type HarnessResponse, type UpstreamRecord } from './gateway.js';
