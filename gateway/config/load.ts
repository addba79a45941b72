import { availableParallelism } from 'node:os';
import { dirname, isAbsolute, resolve } from 'node:path';
import { CLUSTER_WORKERS } from '../meta.js';
import { deepFreeze, readJsonFile, validateDocument, type Problem } from '../validation/index.js';
import { normaliseTarget, targetProblem } from '../../coprocess/dispatch/target.js';
import type { SidecarSpec } from '../../coprocess/sidecars/index.js';
import { DEFAULT_GRPC_MAX_BYTES, DEFAULT_JWKS_TTL_SECONDS, DEFAULT_PROXY_TIMEOUT_SECONDS, DEFAULT_SERVER_TIMEOUT_SECONDS, type CoprocessConfig, type GatewayConfig, type LogLevel, type ServerLimits, type StorageConfig } from './model.js';
import { tykConfigSchema, type TykConfig } from './schema.js';
import { resolveTls, type TlsSettings } from './tls.js';
import { TYK_CONFIG_FOREIGN_FIELDS } from './tyk-fields.js';
import { resolveUpstreamTlsGlobals, type UpstreamTlsGlobals } from '../upstream-tls/index.js';

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

/**
 * Validates a tyk.conf document; relative paths in it resolve against `source`'s folder. `env` is
 * read for what Tyk reads from the environment (SSL_CERT_FILE, HTTP(S)_PROXY, NO_PROXY).
 */
export function loadConfigDocument(document: unknown, source = '(inline)', env: NodeJS.ProcessEnv = process.env): ConfigLoadResult {
  const result = validateDocument(tykConfigSchema, document, TYK_CONFIG_FOREIGN_FIELDS);
  const errors = [...result.errors];
  const warnings = [...result.warnings];
  const tyk = result.parsed;
  const baseDir = source === '(inline)' ? process.cwd() : dirname(source);
  let tls: TlsSettings | undefined;
  if (tyk !== undefined) {
    checkSupported(tyk, errors, warnings, transportGiven(document));
    tls = resolveTls(tyk, baseDir, errors, warnings);
  }
  // Certificates are read even when other settings failed, so every problem is reported at once.
  const upstream = tyk === undefined ? undefined : resolveUpstreamTlsGlobals(tyk, baseDir, env);
  if (upstream !== undefined) errors.push(...upstream.problems);
  if (tyk === undefined || tls === undefined || upstream?.globals === undefined || errors.length > 0) return { config: undefined, errors, warnings };
  return { config: deepFreeze(resolveConfig(tyk, source, baseDir, upstream.globals, tls)), errors, warnings };
}

/** Whether the document sets coprocess_options.transport itself (rather than taking the default). */
function transportGiven(document: unknown): boolean {
  const options = (document as { coprocess_options?: unknown } | null)?.coprocess_options;
  return options !== null && typeof options === 'object' && Object.hasOwn(options, 'transport');
}

/** Checks across fields, and settings that are valid Tyk but not (yet) Hookgate. */
function checkSupported(tyk: TykConfig, errors: Problem[], warnings: Problem[], transportSet: boolean): void {
  if (tyk.storage?.enable_cluster === true && tyk.storage.type !== 'memory' && tyk.storage.database !== 0) {
    errors.push({
      path: 'storage.database',
      message: `\`storage.database\` must be 0 with \`storage.enable_cluster\`: a Redis Cluster has only database 0, got ${tyk.storage.database}`,
    });
  }
  if (!tyk.http_server_options.enable_strict_routes) {
    warnings.push({
      path: 'http_server_options.enable_strict_routes',
      message: '`http_server_options.enable_strict_routes` is false, but Hookgate always matches listen paths on whole path segments (/app never matches /apple)',
    });
  }
  if (tyk.secret === '') {
    warnings.push({ path: 'secret', message: '`secret` is empty: the control API (/tyk/...) is disabled (Tyk would leave it open to anyone)' });
  }
  const coprocess = tyk.coprocess_options;
  if (coprocess.coprocess_grpc_server !== '' && !coprocess.coprocess_grpc_server.startsWith('sidecar:')) {
    const problem = targetProblem(coprocess.coprocess_grpc_server);
    if (problem !== undefined) {
      errors.push({ path: 'coprocess_options.coprocess_grpc_server', message: `\`coprocess_options.coprocess_grpc_server\` ${JSON.stringify(coprocess.coprocess_grpc_server)}: ${problem}` });
    }
  }
  const names = new Set<string>();
  const addresses = new Map<string, string>();
  coprocess.sidecars.forEach((sidecar, index) => {
    const at = `coprocess_options.sidecars[${index}]`;
    if (names.has(sidecar.name)) errors.push({ path: `${at}.name`, message: `\`${at}.name\`: another sidecar is already named ${JSON.stringify(sidecar.name)}` });
    names.add(sidecar.name);
    const problem = targetProblem(sidecar.address);
    if (problem !== undefined) errors.push({ path: `${at}.address`, message: `\`${at}.address\` ${JSON.stringify(sidecar.address)}: ${problem}` });
    const target = normaliseTarget(sidecar.address);
    const other = addresses.get(target);
    if (other !== undefined) errors.push({ path: `${at}.address`, message: `\`${at}.address\`: sidecar ${JSON.stringify(other)} already serves ${target}` });
    addresses.set(target, sidecar.name);
    if (sidecar.restart_backoff_max_ms < sidecar.restart_backoff_initial_ms) {
      errors.push({ path: `${at}.restart_backoff_max_ms`, message: `\`${at}.restart_backoff_max_ms\` must be at least restart_backoff_initial_ms` });
    }
  });
  if (transportSet) checkTransport(coprocess, warnings);
  const reference = /^sidecar:(.*)$/.exec(coprocess.coprocess_grpc_server);
  if (reference !== null && !names.has(reference[1] ?? '')) {
    errors.push({ path: 'coprocess_options.coprocess_grpc_server', message: `\`coprocess_options.coprocess_grpc_server\`: no sidecar is named ${JSON.stringify(reference[1])}` });
  }
  checkBundleSettings(tyk, errors, warnings);
  const policies = tyk.policies;
  if (policies.policy_source === 'service' || policies.policy_source === 'rpc') {
    errors.push({
      path: 'policies.policy_source',
      message: `\`policies.policy_source\` ${JSON.stringify(policies.policy_source)}: policies from the Dashboard or MDCB are not supported by Hookgate; use "file" with policy_path or policy_record_name`,
    });
  }
  if (policies.policy_path !== '' && policies.policy_record_name !== '') {
    warnings.push({ path: 'policies.policy_record_name', message: '`policies.policy_record_name` is ignored: `policies.policy_path` is set and wins (as in Tyk)' });
  }
  const limits = resolveLimits(tyk);
  if (limits.headerTimeoutMs > limits.requestTimeoutMs) {
    errors.push({
      path: 'hookgate.limits.header_timeout_ms',
      message: `\`hookgate.limits.header_timeout_ms\` (${limits.headerTimeoutMs}) must not be longer than the whole-request timeout \`http_server_options.read_timeout\` (${limits.requestTimeoutMs} ms)`,
    });
  }
}

function resolveLimits(tyk: TykConfig): ServerLimits {
  const seconds = (value: number) => (value > 0 ? value : DEFAULT_SERVER_TIMEOUT_SECONDS) * 1000;
  const l = tyk.hookgate.limits;
  const body = tyk.http_server_options.max_request_body_size;
  return {
    headerTimeoutMs: l.header_timeout_ms,
    requestTimeoutMs: seconds(tyk.http_server_options.read_timeout),
    responseTimeoutMs: seconds(tyk.http_server_options.write_timeout),
    keepAliveTimeoutMs: l.keep_alive_timeout_ms,
    maxHeaderBytes: l.max_header_bytes,
    maxHeaderCount: l.max_header_count,
    maxConnections: l.max_connections,
    maxRequestBodyBytes: body > 0 ? body : Infinity,
  };
}

/** A base URL Tyk could not fetch from only fails each API with a bundle, so it is a warning here too. */
function checkBundleSettings(tyk: TykConfig, errors: Problem[], warnings: Problem[]): void {
  const base = tyk.bundle_base_url;
  if (base !== '') {
    let scheme = '';
    try {
      scheme = new URL(base).protocol;
    } catch {
      scheme = base.startsWith('file://') ? 'file:' : '';
    }
    if (!['http:', 'https:', 'file:'].includes(scheme)) {
      warnings.push({ path: 'bundle_base_url', message: `\`bundle_base_url\` ${JSON.stringify(base)} is not an http://, https:// or file:// URL: every API with a bundle will be refused (Unknown URL scheme)` });
    }
  }
  const b = tyk.hookgate.bundles;
  if (b.retry_max_ms < b.retry_initial_ms) {
    errors.push({ path: 'hookgate.bundles.retry_max_ms', message: '`hookgate.bundles.retry_max_ms` must be at least retry_initial_ms' });
  }
}

/**
 * The h2 transport serves host:port and unix socket targets only; dns:/// targets and round robin
 * need grpc-js's resolver and balancer. h2 is the default, and those targets quietly take grpc-js;
 * but when "h2" was asked for by name, calls silently staying on grpc-js would surprise whoever
 * measures the difference: say so at load.
 */
function checkTransport(coprocess: TykConfig['coprocess_options'], warnings: Problem[]): void {
  if (coprocess.transport !== 'h2') return;
  if (coprocess.grpc_round_robin_load_balancing) {
    warnings.push({ path: 'coprocess_options.transport', message: '`coprocess_options.transport` is "h2", but `grpc_round_robin_load_balancing` needs grpc-js: every Dispatch call uses grpc-js' });
  } else if (normaliseTarget(coprocess.coprocess_grpc_server).startsWith('dns:')) {
    warnings.push({ path: 'coprocess_options.transport', message: '`coprocess_options.transport` is "h2", but a dns:/// plugin server needs grpc-js: calls to it use grpc-js' });
  }
}

function resolveConfig(tyk: TykConfig, source: string, baseDir: string, upstreamTls: UpstreamTlsGlobals, tls: TlsSettings): GatewayConfig {
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
      maxQueuedPerOrigin: tyk.hookgate.upstream.max_queued_per_origin,
      keepAliveTimeoutMs: tyk.hookgate.upstream.keep_alive_timeout_ms,
      trustForwardedHeaders: tyk.hookgate.trust_forwarded_headers,
    },
    upstreamTls,
    errors: { hideGeneratorHeader: tyk.hide_generator_header, closeConnections: tyk.close_connections },
    limits: resolveLimits(tyk),
    shutdownGraceMs: Math.round(tyk.graceful_shutdown_timeout_duration * 1000),
    health: {
      livenessPath: `/${tyk.health_check_endpoint_name.replace(/^\/+/, '')}`,
      readinessPath: `/${tyk.readiness_check_endpoint_name.replace(/^\/+/, '')}`,
    },
    sessions: {
      hashKeys: tyk.hash_keys,
      hashKeyFunction: tyk.hash_key_function,
      hashKeyFunctionFallback: tyk.hash_key_function_fallback,
      basicAuthHashFunction: tyk.basic_auth_hash_key_function === '' ? 'bcrypt' : tyk.basic_auth_hash_key_function,
      minTokenLength: tyk.min_token_length > 0 ? tyk.min_token_length : 3,
      forceGlobalLifetime: tyk.force_global_session_lifetime,
      globalLifetime: tyk.global_session_lifetime,
      lifetimeRespectsKeyExpiration: tyk.session_lifetime_respects_key_expiration,
      rateLimitHeaders: tyk.rate_limit_response_headers,
      limitsOnStorageFailure: tyk.hookgate.limits_on_storage_failure,
    },
    secret: tyk.secret,
    controlApiPort: tyk.control_api_port,
    metricsPath: tyk.hookgate.metrics.enabled ? tyk.hookgate.metrics.path : undefined,
    coprocess: resolveCoprocess(tyk, path),
    bundles: {
      downloaderEnabled: tyk.enable_bundle_downloader,
      baseUrl: tyk.bundle_base_url,
      insecureSkipVerify: tyk.bundle_insecure_skip_verify,
      skipVerifyExisting: tyk.skip_verify_existing_plugin_bundle,
      publicKeyPath: tyk.public_key_path === '' ? '' : path(tyk.public_key_path),
      bundlesPath: resolve(path(tyk.middleware_path), 'bundles'),
      baseDir,
      downloadTimeoutMs: tyk.hookgate.bundles.download_timeout_ms,
      downloadRetries: tyk.hookgate.bundles.download_retries,
      retryInitialMs: tyk.hookgate.bundles.retry_initial_ms,
      retryMaxMs: tyk.hookgate.bundles.retry_max_ms,
      limits: {
        maxArchiveBytes: tyk.hookgate.bundles.max_archive_bytes,
        maxUnpackedBytes: tyk.hookgate.bundles.max_unpacked_bytes,
        maxFiles: tyk.hookgate.bundles.max_files,
      },
    },
    jwks: {
      defaultTtlMs: (tyk.jwks.cache.timeout > 0 ? tyk.jwks.cache.timeout : DEFAULT_JWKS_TTL_SECONDS) * 1000,
      fetchTimeoutMs: tyk.hookgate.jwks.fetch_timeout_ms,
      minRefetchIntervalMs: tyk.hookgate.jwks.min_refetch_interval_ms,
      maxStaleMs: tyk.hookgate.jwks.max_stale_ms,
    },
    policies: {
      dir: tyk.policies.policy_path === '' ? undefined : path(tyk.policies.policy_path),
      recordFile: tyk.policies.policy_path !== '' || tyk.policies.policy_record_name === '' ? undefined : path(tyk.policies.policy_record_name),
    },
    tls,
  };
}

function resolveCoprocess(tyk: TykConfig, path: (p: string) => string): CoprocessConfig {
  const options = tyk.coprocess_options;
  const sidecars: SidecarSpec[] = options.sidecars.map((s) => ({
    name: s.name,
    command: s.command,
    args: s.args,
    env: s.env,
    cwd: path(s.cwd),
    address: normaliseTarget(s.address),
    readyTimeoutMs: s.ready_timeout_ms,
    stopGraceMs: s.stop_grace_ms,
    restartBackoffInitialMs: s.restart_backoff_initial_ms,
    restartBackoffMaxMs: s.restart_backoff_max_ms,
  }));
  return {
    enabled: options.enable_coprocess,
    server: resolvePluginServer(options.coprocess_grpc_server, sidecars),
    recvMaxBytes: options.grpc_recv_max_size > 0 ? options.grpc_recv_max_size : DEFAULT_GRPC_MAX_BYTES,
    sendMaxBytes: options.grpc_send_max_size > 0 ? options.grpc_send_max_size : DEFAULT_GRPC_MAX_BYTES,
    authority: options.grpc_authority,
    roundRobin: options.grpc_round_robin_load_balancing,
    dispatchTimeoutMs: options.dispatch_timeout_ms,
    transport: options.transport,
    sidecars,
    python: {
      executable: options.python_executable.includes('/')
        ? path(options.python_executable)
        : options.python_executable || (options.python_version === '' ? 'python3' : `python${options.python_version}`),
      pathPrefix: options.python_path_prefix === '' ? '' : path(options.python_path_prefix),
      // The default, one per core, is shared out among --workers N gateway workers (each runs its own bridge).
      workers: options.python_workers > 0 ? options.python_workers : Math.max(1, Math.floor(availableParallelism() / CLUSTER_WORKERS)),
    },
  };
}

/** A plugin server setting as a grpc-js target: `sidecar:<name>` becomes that sidecar's address. */
export function resolvePluginServer(value: string, sidecars: readonly SidecarSpec[]): string {
  const reference = /^sidecar:(.*)$/.exec(value);
  if (reference === null) return normaliseTarget(value);
  return sidecars.find((s) => s.name === reference[1])?.address ?? '';
}

function resolveStorage(tyk: TykConfig): StorageConfig {
  const storage = tyk.storage;
  // No storage section: the in-memory store. A section without a type is Redis, as in Tyk.
  if (storage === undefined || storage.type === 'memory') return { kind: 'memory' };
  const commandTimeoutMs = Math.round((storage.timeout > 0 ? storage.timeout : 5) * 1000);
  // As Tyk: `addrs` when set, otherwise host and port.
  const nodes = storage.addrs.length > 0 ? storage.addrs.map((a) => parseAddr(a, storage.port)) : [{ host: storage.host, port: storage.port }];
  const { username, password } = storage;
  if (storage.enable_cluster) return { kind: 'redis-cluster', nodes, username, password, commandTimeoutMs };
  const { host, port } = nodes[0] ?? { host: storage.host, port: storage.port };
  return { kind: 'redis', host, port, username, password, database: storage.database, commandTimeoutMs };
}

/** "host:port", "[v6]:port" or a bare host. */
function parseAddr(addr: string, defaultPort: number): { host: string; port: number } {
  const colon = addr.lastIndexOf(':');
  if (colon === -1) return { host: addr, port: defaultPort };
  return { host: addr.slice(0, colon).replace(/^\[|\]$/g, ''), port: Number(addr.slice(colon + 1)) };
}
