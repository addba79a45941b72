/**
 * Hookgate's gateway, as a library: load a tyk.conf and API definitions, start and stop a gateway.
 * The `hookgate` command line is built on the same functions.
 */
export { apiLoadContextOf, loadApiDefinitions, loadApiDocuments, type ApiDefinition, type ApiLoadResult, type ApiSpec, type RefusedApi } from './apidef/index.js';
export { run as runCli } from './cli/run.js';
export { loadConfigDocument, loadConfigFile, type ConfigLoadResult, type GatewayConfig, type TykConfig } from './config/index.js';
export { ERRORS, HookgateError, isHookgateError, type ErrorCode } from './errors/index.js';
export { startGateway, type RunningGateway, type StartOptions } from './gateway.js';
export { createAccessLogWriter, createRootLogger, type AccessLogWriter, type Logger } from './logging/index.js';
export { PACKAGE_ROOT, VERSION } from './meta.js';
export { MemoryStore, RedisClusterStore, RedisStore, type Store } from './storage/index.js';
export type { Problem } from './validation/index.js';
