export { loadConfigDocument, loadConfigFile, resolvePluginServer, type ConfigLoadResult } from './load.js';
export { DEFAULT_GRPC_MAX_BYTES, DEFAULT_PROXY_TIMEOUT_SECONDS, DEFAULT_SERVER_TIMEOUT_SECONDS, type ArchiveLimits, type BundleSettings, type CoprocessConfig, type GatewayConfig, type PythonConfig, type SessionSettings, type LogLevel, type ServerLimits, type StorageConfig } from './model.js';
export { tykConfigSchema, type TykConfig } from './schema.js';
export { TYK_CONFIG_FOREIGN_FIELDS } from './tyk-fields.js';
export type { TlsSettings, TlsVersionName } from './tls.js';
