import { dirname, isAbsolute, resolve } from 'node:path';
import { deepFreeze, readJsonFile, validateDocument, type Problem } from '../validation/index.js';
import { DEFAULT_PROXY_TIMEOUT_SECONDS, type GatewayConfig, type LogLevel, type StorageConfig } from './model.js';
import { tykConfigSchema, type TykConfig } from './schema.js';
import { TYK_CONFIG_FOREIGN_FIELDS } from './tyk-fields.js';

export interface ConfigLoadResult {
  /** Present only when there are no errors. */
  readonly config: GatewayConfig | undefined;
  readonly errors: readonly Problem[];
  readonly warnings: readonly Problem[];
}

/** Reads, validates and resolves a tyk.conf file. Every problem is reported, none thrown. */
export async function loadConfigFile(path: string): Promise<ConfigLoadResult> {
  const source = resolve(path);
  const file = await readJsonFile(source);
  if (!file.ok) return { config: undefined, errors: [{ path: '(file)', message: file.problem }], warnings: [] };
  return loadConfigDocument(file.value, source);
}

/** Validates a tyk.conf document; relative paths in it resolve against `source`'s folder. */
export function loadConfigDocument(document: unknown, source = '(inline)'): ConfigLoadResult {
  const result = validateDocument(tykConfigSchema, document, TYK_CONFIG_FOREIGN_FIELDS);
  const errors = [...result.errors];
  const warnings = [...result.warnings];
  const tyk = result.parsed;
  if (tyk !== undefined) checkSupported(tyk, errors, warnings);
  if (tyk === undefined || errors.length > 0) return { config: undefined, errors, warnings };
  const baseDir = source === '(inline)' ? process.cwd() : dirname(source);
  return { config: deepFreeze(resolveConfig(tyk, source, baseDir)), errors, warnings };
}

/** Checks across fields, and settings that are valid Tyk but not (yet) Hookgate. */
function checkSupported(tyk: TykConfig, errors: Problem[], warnings: Problem[]): void {
  if (tyk.storage?.enable_cluster === true) {
    errors.push({
      path: 'storage.enable_cluster',
      message: '`storage.enable_cluster`: Redis Cluster is not supported by this Hookgate version yet; use a single Redis node or "type": "memory"',
    });
  }
  if (!tyk.http_server_options.enable_strict_routes) {
    warnings.push({
      path: 'http_server_options.enable_strict_routes',
      message: '`http_server_options.enable_strict_routes` is false, but Hookgate always matches listen paths on whole path segments (/app never matches /apple)',
    });
  }
  if (tyk.coprocess_options.enable_coprocess) {
    warnings.push({
      path: 'coprocess_options.enable_coprocess',
      message: '`coprocess_options.enable_coprocess`: plugin hooks are not supported by this Hookgate version yet; APIs that use them are refused',
    });
  }
  if (tyk.enable_bundle_downloader) {
    warnings.push({
      path: 'enable_bundle_downloader',
      message: '`enable_bundle_downloader`: plugin bundles are not supported by this Hookgate version yet; APIs that use them are refused',
    });
  }
}

function resolveConfig(tyk: TykConfig, source: string, baseDir: string): GatewayConfig {
  const path = (p: string) => (isAbsolute(p) ? p : resolve(baseDir, p));
  const timeoutSeconds = tyk.proxy_default_timeout > 0 ? tyk.proxy_default_timeout : DEFAULT_PROXY_TIMEOUT_SECONDS;
  return {
    source,
    tyk,
    listen: { address: tyk.listen_address, port: tyk.listen_port },
    appPath: path(tyk.app_path),
    middlewarePath: path(tyk.middleware_path),
    storage: resolveStorage(tyk),
    log: {
      level: (tyk.log_level === 'warning' ? 'warn' : tyk.log_level) as LogLevel,
      format: tyk.log_format === 'json' ? 'json' : tyk.log_format === 'text' ? 'pretty' : 'auto',
      accessLog: tyk.access_logs.enabled,
    },
    proxy: {
      timeoutMs: Math.round(timeoutSeconds * 1000),
      connectionsPerOrigin: tyk.hookgate.upstream.connections_per_origin,
      keepAliveTimeoutMs: tyk.hookgate.upstream.keep_alive_timeout_ms,
      trustForwardedHeaders: tyk.hookgate.trust_forwarded_headers,
    },
    errors: { hideGeneratorHeader: tyk.hide_generator_header, closeConnections: tyk.close_connections },
    shutdownGraceMs: Math.round(tyk.graceful_shutdown_timeout_duration * 1000),
    health: {
      livenessPath: `/${tyk.health_check_endpoint_name.replace(/^\/+/, '')}`,
      readinessPath: `/${tyk.readiness_check_endpoint_name.replace(/^\/+/, '')}`,
    },
  };
}

function resolveStorage(tyk: TykConfig): StorageConfig {
  const storage = tyk.storage;
  // No storage section: the in-memory store. A section without a type is Redis, as in Tyk.
  if (storage === undefined || storage.type === 'memory') return { kind: 'memory' };
  let host = storage.host;
  let port = storage.port;
  const first = storage.addrs[0];
  if (first !== undefined) {
    const colon = first.lastIndexOf(':');
    host = colon === -1 ? first : first.slice(0, colon).replace(/^\[|\]$/g, '');
    port = colon === -1 ? port : Number(first.slice(colon + 1));
  }
  return {
    kind: 'redis',
    host,
    port,
    username: storage.username,
    password: storage.password,
    database: storage.database,
    commandTimeoutMs: Math.round((storage.timeout > 0 ? storage.timeout : 5) * 1000),
  };
}
