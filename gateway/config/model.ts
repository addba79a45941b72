import type { SidecarSpec } from '../../coprocess/sidecars/index.js';
import type { PolicySource } from '../policy/index.js';
import type { UpstreamTlsGlobals } from '../upstream-tls/index.js';
import type { TykConfig } from './schema.js';
import type { TlsSettings } from './tls.js';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

export type StorageConfig =
  | { readonly kind: 'memory' }
  | {
      readonly kind: 'redis';
      readonly host: string;
      readonly port: number;
      readonly username: string;
      readonly password: string;
      readonly database: number;
      readonly commandTimeoutMs: number;
    }
  | {
      /** `enable_cluster`: a Redis Cluster; the rest of it is discovered from these seed nodes. */
      readonly kind: 'redis-cluster';
      readonly nodes: readonly { readonly host: string; readonly port: number }[];
      readonly username: string;
      readonly password: string;
      readonly commandTimeoutMs: number;
    };

/** The validated, resolved configuration every component reads. Frozen. */
export interface GatewayConfig {
  /** Absolute path of the file it was loaded from, or "(inline)". */
  readonly source: string;
  /** The validated Tyk-shaped document, defaults filled in. */
  readonly tyk: TykConfig;
  readonly listen: { readonly address: string; readonly port: number };
  /** Absolute folder of API definition files. */
  readonly appPath: string;
  readonly middlewarePath: string;
  readonly storage: StorageConfig;
  readonly log: { readonly level: LogLevel; readonly format: 'json' | 'pretty' | 'auto'; readonly accessLog: boolean };
  readonly proxy: {
    readonly timeoutMs: number;
    readonly connectionsPerOrigin: number | null;
    /** With connectionsPerOrigin: requests that may wait for a connection before 503. */
    readonly maxQueuedPerOrigin: number;
    readonly keepAliveTimeoutMs: number;
    readonly trustForwardedHeaders: boolean;
  };
  /** Gateway-wide upstream TLS settings and forward-proxy environment, resolved at load. */
  readonly upstreamTls: UpstreamTlsGlobals;
  readonly errors: { readonly hideGeneratorHeader: boolean; readonly closeConnections: boolean };
  readonly limits: ServerLimits;
  readonly shutdownGraceMs: number;
  readonly health: { readonly livenessPath: string; readonly readinessPath: string };
  readonly sessions: SessionSettings;
  /** The control API's secret ("" = no control API: Tyk would leave it open). */
  readonly secret: string;
  /** 0: the control API shares the gateway's listener. */
  readonly controlApiPort: number;
  /** The Prometheus endpoint's path, or undefined when metrics are off. */
  readonly metricsPath: string | undefined;
  readonly coprocess: CoprocessConfig;
  readonly bundles: BundleSettings;
  /** The gateway as a TLS server, the certificate store, client certificates (docs/tls.md). */
  readonly tls: TlsSettings;
  /** Where policies are read from (absolute paths); both undefined: no policies. */
  readonly policies: PolicySource;
  /** Fetching and caching JWKS for JWT auth. */
  readonly jwks: {
    readonly defaultTtlMs: number;
    readonly fetchTimeoutMs: number;
    readonly minRefetchIntervalMs: number;
    readonly maxStaleMs: number;
  };
}

/** What clients may send and hold on the gateway's listeners (docs/limits.md). */
export interface ServerLimits {
  readonly headerTimeoutMs: number;
  /** Whole request, headers and body (Tyk's read_timeout). */
  readonly requestTimeoutMs: number;
  /** From the end of the request headers to the end of the response (Tyk's write_timeout). */
  readonly responseTimeoutMs: number;
  readonly keepAliveTimeoutMs: number;
  readonly maxHeaderBytes: number;
  readonly maxHeaderCount: number;
  /** 0: no limit. */
  readonly maxConnections: number;
  /** Gateway-wide body limit in bytes; Infinity: none. */
  readonly maxRequestBodyBytes: number;
}

/** Tyk's read and write timeouts when tyk.conf leaves them at 0 (gateway/proxy_muxer.go). */
export const DEFAULT_SERVER_TIMEOUT_SECONDS = 120;

/** Plugin bundles (Tyk's keys, resolved) and Hookgate's download and archive limits. */
export interface BundleSettings {
  readonly downloaderEnabled: boolean;
  /** `bundle_base_url` as written; "" when none. */
  readonly baseUrl: string;
  readonly insecureSkipVerify: boolean;
  readonly skipVerifyExisting: boolean;
  /** Absolute path of the RSA public key, or "" (signatures are then not checked). */
  readonly publicKeyPath: string;
  /** `<middleware_path>/bundles`, absolute. */
  readonly bundlesPath: string;
  /** Where a relative `file://` base URL resolves (the config file's folder). */
  readonly baseDir: string;
  readonly downloadTimeoutMs: number;
  readonly downloadRetries: number;
  readonly retryInitialMs: number;
  readonly retryMaxMs: number;
  readonly limits: ArchiveLimits;
}

/** What an archive may hold before it is refused. */
export interface ArchiveLimits {
  readonly maxArchiveBytes: number;
  readonly maxUnpackedBytes: number;
  readonly maxFiles: number;
}

export interface SessionSettings {
  readonly hashKeys: boolean;
  readonly hashKeyFunction: string;
  readonly hashKeyFunctionFallback: readonly string[];
  /** `basic_auth_hash_key_function`, resolved: how /tyk/keys stores basic-auth passwords. */
  readonly basicAuthHashFunction: Exclude<TykConfig['basic_auth_hash_key_function'], ''>;
  /** Effective: Tyk's floor of 3 applies when the config says less. */
  readonly minTokenLength: number;
  readonly forceGlobalLifetime: boolean;
  readonly globalLifetime: number;
  readonly lifetimeRespectsKeyExpiration: boolean;
  readonly rateLimitHeaders: 'rate_limits' | 'quotas';
  readonly limitsOnStorageFailure: 'fail_closed' | 'fail_open';
}

export interface CoprocessConfig {
  readonly enabled: boolean;
  /** The default plugin server, as a grpc-js target; "" when none is configured. */
  readonly server: string;
  /** Largest reply accepted from a plugin (bytes). */
  readonly recvMaxBytes: number;
  /** Largest Object sent to a plugin (bytes); also caps request bodies buffered for hooks. */
  readonly sendMaxBytes: number;
  readonly authority: string;
  readonly roundRobin: boolean;
  readonly dispatchTimeoutMs: number;
  /** The gRPC client: @grpc/grpc-js, or Hookgate's lean HTTP/2 client (coprocess/dispatch/h2). */
  readonly transport: 'grpc-js' | 'h2';
  readonly sidecars: readonly SidecarSpec[];
  readonly python: PythonConfig;
}

/** How the gateway runs Python bundles (the Python bridge, docs/python.md). */
export interface PythonConfig {
  /** The interpreter: python_executable, else python<python_version>, else python3. */
  readonly executable: string;
  /** Absolute python_path_prefix, or "" when unset. */
  readonly pathPrefix: string;
  /** Workers per bundle: python_workers, or the number of cores. */
  readonly workers: number;
}

/**
 * Message size limits when tyk.conf leaves them at 0. grpc-go (Tyk) sends without limit, but
 * plugin servers receive at most 4 MiB by default (grpc-go, grpc-js, grpcio), so a larger
 * request would fail inside the plugin; Hookgate refuses it up front with 413 instead.
 */
export const DEFAULT_GRPC_MAX_BYTES = 4 * 1024 * 1024;

/** Tyk's JWKS cache time when `jwks.cache.timeout` is 0. */
export const DEFAULT_JWKS_TTL_SECONDS = 240;

/** Tyk's default when `proxy_default_timeout` is 0. */
export const DEFAULT_PROXY_TIMEOUT_SECONDS = 30;
