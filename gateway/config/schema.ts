import * as z from 'zod';
import { fields } from '../validation/index.js';

const { str, bool, int, num, oneOf, obj, list } = fields;

const seconds = (expect = 'a number of seconds (0 or more)') => num(0, expect);

const storage = obj({
  /** Tyk's only type is "redis"; "memory" is Hookgate's (one process, nothing to install). */
  type: oneOf(['redis', 'memory']).optional(),
  host: str().default('localhost'),
  port: int(1, 65535).default(6379),
  /** Wins over host/port: the first entry for one Redis, every entry as seeds with enable_cluster. */
  addrs: list(str('a "host:port" string').regex(/^.+:\d{1,5}$/, { error: 'a "host:port" string' })).default([]),
  username: str().default(''),
  password: str().default(''),
  database: int(0, 1_000_000).default(0),
  /** Redis Cluster (database 0 only). */
  enable_cluster: bool().default(false),
  /** Tyk: seconds a Redis command may take. */
  timeout: seconds().default(5),
});

const SIDECAR_NAME = 'a name of letters, digits, "-" and "_"';

/** A plugin server the gateway launches and supervises (Hookgate). */
const sidecar = obj({
  name: z.string({ error: SIDECAR_NAME }).regex(/^[A-Za-z0-9_-]+$/, { error: SIDECAR_NAME }),
  command: fields.nonEmptyStr('the program to run'),
  args: list(str()).default([]),
  env: fields.dict(str()).default({}),
  cwd: str().default('.'),
  /** The gRPC target it serves on: host:port, tcp://host:port or unix:///path. */
  address: fields.nonEmptyStr('the gRPC address the sidecar serves on'),
  ready_timeout_ms: int(100, 600_000).default(15_000),
  stop_grace_ms: int(0, 600_000).default(5_000),
  restart_backoff_initial_ms: int(10, 600_000).default(200),
  restart_backoff_max_ms: int(10, 3_600_000).default(10_000),
});

const coprocessOptions = obj({
  enable_coprocess: bool().default(false),
  coprocess_grpc_server: str().default(''),
  grpc_recv_max_size: int(0, 2 ** 31 - 1).default(0),
  grpc_send_max_size: int(0, 2 ** 31 - 1).default(0),
  grpc_authority: str().default(''),
  grpc_round_robin_load_balancing: bool().default(false),
  /** Tyk: the base folder of its Python modules. Hookgate: `<prefix>/coprocess/python` is added to the workers' sys.path. */
  python_path_prefix: str().default(''),
  /** Tyk: the libpython version ("3.11"). Hookgate: the workers run `python<version>` unless python_executable says otherwise. */
  python_version: str().regex(/^3(\.\d+)?$/, { error: 'a Python 3 version such as "3.11"' }).or(z.literal('')).default(''),
  /** Hookgate: the interpreter the Python bridge's workers run (a name looked up in PATH, or a path). */
  python_executable: str().default(''),
  /** Hookgate: Python worker processes per bundle; 0 = one per core. */
  python_workers: int(0, 256).default(0),
  /** Hookgate: the deadline of every Dispatch call, unless an API or hook sets its own. */
  dispatch_timeout_ms: int(1, 600_000).default(2000),
  /** Hookgate: the gRPC client for Dispatch calls (docs/transport.md); dns:/// and round robin always use grpc-js. */
  transport: oneOf(['grpc-js', 'h2']).default('h2'),
  /** Hookgate: plugin servers the gateway launches, supervises and stops. */
  sidecars: list(sidecar).default([]),
});

/** Tyk's uint16 TLS protocol numbers; which values are allowed is checked with the other TLS settings. */
const tlsVersion = () => int(0, 65535, 'a TLS version: 771 (TLS 1.2), 772 (TLS 1.3), or 0 for the default');
/** A Go map of strings, which Tyk also accepts as null. */
const stringMap = () => fields.dict(str()).nullable().default({});

const httpServerOptions = obj({
  /** Hookgate always routes on whole path segments (Tyk's strict routes); false is warned about. */
  enable_strict_routes: bool().default(true),
  /** Tyk: seconds to receive a whole request, headers and body; 0 means Tyk's 120. */
  read_timeout: int(0, 86_400, 'a number of seconds (0 to 86400)').default(0),
  /** Tyk: seconds from the end of the request headers to the end of the response; 0 means Tyk's 120. */
  write_timeout: int(0, 86_400, 'a number of seconds (0 to 86400)').default(0),
  /** Tyk: largest request body in bytes for every API (413 beyond it); 0 = no gateway-wide limit. */
  max_request_body_size: int(0, Number.MAX_SAFE_INTEGER, 'a number of bytes (0 or more)').default(0),
  /** TLS on the gateway's listener, and on control_api_port (docs/tls.md). */
  use_ssl: bool().default(false),
  /** Deprecated in Tyk, still read: key pairs from files, registered under `domain_name` for SNI. */
  certificates: list(obj({ domain_name: str().default(''), cert_file: str().default(''), key_file: str().default('') })).nullable().default([]),
  /** Server key pairs: certificate store IDs, PEM files (certificate and key in one file), or inline PEM. */
  ssl_certificates: list(str()).nullable().default([]),
  /** Go ignores this on a server; kept for compatibility (see docs/tls.md). */
  server_name: str().default(''),
  min_version: tlsVersion().default(0),
  max_version: tlsVersion().default(0),
  /** Go's cipher suite names for TLS 1.2 (case-insensitive); empty: node's defaults. */
  ssl_ciphers: list(str()).nullable().default([]),
  /** Offer HTTP/2 (ALPN h2) on TLS listeners. */
  enable_http2: bool().default(false),
  /** Do not send the accepted client CAs in the TLS handshake. */
  skip_client_ca_announcement: bool().default(false),
});

const security = obj({
  /** Upstream public-key pinning: host (`*`, `*.domain`, host) → comma list of public keys. */
  pinned_public_keys: stringMap(),
  /** Encrypts private keys in the certificate store; `secret` when empty. */
  private_certificate_encoding_secret: str().default(''),
  /** The control API requires a client certificate from `certificates.control_api`. */
  control_api_use_mutual_tls: bool().default(false),
  /** Certificate auth: accept the linked key's token without the certificate (unsafe; docs/tls.md). */
  allow_unsafe_dynamic_mtls_token: bool().default(false),
  certificates: obj({
    /** Upstream client certificates: host (`*`, `*.domain`, host[:port]) → certificate with its key. */
    upstream: stringMap(),
    /** Added to every API's client-certificate allow list. */
    apis: list(str()).nullable().default([]),
    /** CAs (or client certificates) the control API accepts. */
    control_api: list(str()).nullable().default([]),
    /** Client certificates for Tyk Dashboard and MDCB: Hookgate talks to neither. */
    dashboard_api: list(str()).nullable().default([]),
    mdcb_api: list(str()).nullable().default([]),
  }).prefault({}),
  /** CertificateExpiringSoon / CertificateExpired events and metrics. */
  certificate_expiry_monitor: obj({
    warning_threshold_days: int(0, 3650).default(30),
    check_cooldown_seconds: int(0, 86_400 * 365).default(3600),
    event_cooldown_seconds: int(0, 86_400 * 365).default(86_400),
  }).prefault({}),
});

const accessLogs = obj({
  /** Hookgate logs one line per request unless this is explicitly false. */
  enabled: bool().default(true),
});

/** Tyk's policy source: only files (`policy_path` wins over `policy_record_name`). */
const policies = obj({
  policy_source: oneOf(['', 'file', 'service', 'rpc']).default(''),
  policy_record_name: str().default(''),
  policy_path: str().default(''),
  policy_connection_string: str().default(''),
  allow_explicit_policy_id: bool().default(false),
});

/** Hookgate's own settings, kept apart from Tyk's keys. */
const hookgate = obj({
  upstream: obj({
    /** Maximum sockets per upstream origin; null = no limit. */
    connections_per_origin: int(1, 1_000_000).nullable().default(null),
    /** How long an idle upstream keep-alive socket is kept, in milliseconds. */
    keep_alive_timeout_ms: int(1, 3_600_000).default(4000),
    /**
     * With connections_per_origin: requests that may wait for a connection to one origin; past
     * that, 503 at once instead of an ever longer queue.
     */
    max_queued_per_origin: int(0, 1_000_000).default(1000),
    /**
     * CA certificates (PEM file paths, inline PEM) trusted for upstream TLS in addition to Node's
     * roots and SSL_CERT_FILE / SSL_CERT_DIR / NODE_EXTRA_CA_CERTS (docs/upstream-tls.md).
     */
    ca_certificates: list(str()).default([]),
  }).prefault({}),
  /** Limits on what clients may send and hold (docs/limits.md). */
  limits: obj({
    /** Time to receive a request's headers (slowloris); 408 past it. */
    header_timeout_ms: int(100, 3_600_000).default(10_000),
    /** Time an idle keep-alive connection is kept open between requests. */
    keep_alive_timeout_ms: int(100, 3_600_000).default(30_000),
    /** Largest request line and header section, in bytes; 431 past it. */
    max_header_bytes: int(1024, 16 * 1024 * 1024).default(32 * 1024),
    /** Most header fields one request may carry; 431 past it. */
    max_header_count: int(1, 10_000).default(100),
    /** Most client connections open at once; more get 503 and are closed. 0 = no limit. */
    max_connections: int(0, 10_000_000).default(10_000),
  }).prefault({}),
  /**
   * Keep `X-Forwarded-Proto` and `X-Forwarded-Host` sent by the client (set this only behind a
   * proxy you trust); otherwise the gateway sets them from the connection it accepted.
   */
  trust_forwarded_headers: bool().default(false),
  /**
   * What rate limits, quotas and session write-backs do while storage is unreachable: refuse
   * with 503 (the default), or let requests through (logged and counted). The auth token cannot
   * authenticate without storage either way.
   */
  limits_on_storage_failure: oneOf(['fail_closed', 'fail_open']).default('fail_closed'),
  /** Plugin bundles: how they are downloaded, and what an archive may hold (docs/bundles.md). */
  bundles: obj({
    /** Tyk: 5 s for the whole download. */
    download_timeout_ms: int(100, 600_000).default(5000),
    /** Tyk: 4 retries after the first attempt. */
    download_retries: int(0, 20).default(4),
    /** The first wait between attempts; it doubles up to retry_max_ms (Tyk: 500 ms, 5 s). */
    retry_initial_ms: int(1, 60_000).default(500),
    retry_max_ms: int(1, 600_000).default(5000),
    /** Largest archive accepted from bundle_base_url. */
    max_archive_bytes: int(1, 2 ** 31 - 1).default(64 * 1024 * 1024),
    /** Largest total of the files an archive declares, unpacked. */
    max_unpacked_bytes: int(1, Number.MAX_SAFE_INTEGER).default(256 * 1024 * 1024),
    /** Most entries (files and folders) an archive may have. */
    max_files: int(1, 1_000_000).default(10_000),
  }).prefault({}),
  /** Fetching JWKS for JWT auth (the cache TTL is Tyk's jwks.cache.timeout). */
  jwks: obj({
    fetch_timeout_ms: int(1, 600_000).default(5_000),
    /** An unknown kid (or a failed fetch) refetches a JWKS at most once in this time. */
    min_refetch_interval_ms: int(0, 3_600_000).default(10_000),
    /** How long past its TTL a JWKS is still used while its URL cannot be fetched. */
    max_stale_ms: int(0, 86_400_000).default(3_600_000),
  }).prefault({}),
  /** Prometheus metrics on the gateway's listener. */
  metrics: obj({
    enabled: bool().default(true),
    path: str().regex(/^\/[^?#]*$/, { error: 'a path starting with /' }).default('/metrics'),
  }).prefault({}),
});

export const tykConfigSchema = obj({
  listen_address: str().default(''),
  /** 0 picks a free port (Hookgate; useful in tests); the chosen port is logged. */
  listen_port: int(0, 65535).default(8080),
  secret: str().default(''),
  app_path: str().default('apps'),
  middleware_path: str().default('middleware'),
  storage: storage.optional(),
  log_level: oneOf(['trace', 'debug', 'info', 'warn', 'warning', 'error', 'fatal', 'silent']).default('info'),
  /** "json" always, "text" always pretty, "" or "default": pretty on a terminal, JSON otherwise. */
  log_format: oneOf(['', 'default', 'json', 'text']).default(''),
  hash_keys: bool().default(false),
  hash_key_function: oneOf(['', 'murmur32', 'murmur64', 'murmur128', 'sha256']).default(''),
  hash_key_function_fallback: list(oneOf(['murmur32', 'murmur64', 'murmur128', 'sha256'])).default([]),
  /** How basic-auth passwords given to /tyk/keys are stored; "" is bcrypt (Tyk's default). */
  basic_auth_hash_key_function: oneOf(['', 'bcrypt', 'sha256', 'murmur32', 'murmur64', 'murmur128']).default(''),
  /** Keys shorter than this are never found; Tyk's floor is 3 (also when 0). */
  min_token_length: int(0, 1024).default(0),
  force_global_session_lifetime: bool().default(false),
  global_session_lifetime: int(0, Number.MAX_SAFE_INTEGER, 'a number of seconds (0 or more)').default(0),
  session_lifetime_respects_key_expiration: bool().default(false),
  /** Where X-RateLimit-* headers come from: Tyk's default is "quotas"; Hookgate's is "rate_limits". */
  rate_limit_response_headers: oneOf(['rate_limits', 'quotas']).default('rate_limits'),
  /** Keys may be created without access_rights (they then reach every API). */
  allow_master_keys: bool().default(false),
  /** GET /tyk/keys lists key hashes when hash_keys is on. */
  enable_hashed_keys_listing: bool().default(false),
  /** The control API (/tyk/...) on a port of its own; 0 shares the gateway's listener. */
  control_api_port: int(0, 65535).default(0),
  /** The control API answers only on this host name (the TLS SNI and the Host header); "" = any. */
  control_api_hostname: str().default(''),
  /** APIs with a `domain` answer only on that host (and bring their server certificates). */
  enable_custom_domains: bool().default(false),
  coprocess_options: coprocessOptions.prefault({}),
  enable_bundle_downloader: bool().default(false),
  bundle_base_url: str().default(''),
  bundle_insecure_skip_verify: bool().default(false),
  skip_verify_existing_plugin_bundle: bool().default(false),
  public_key_path: str().default(''),
  http_server_options: httpServerOptions.prefault({}),
  /** Seconds to wait for upstream response headers; 0 means Tyk's default of 30. */
  proxy_default_timeout: seconds().default(0),
  // Upstream TLS (docs/upstream-tls.md).
  proxy_ssl_insecure_skip_verify: bool().default(false),
  proxy_ssl_min_version: tlsVersion().default(0),
  proxy_ssl_max_version: tlsVersion().default(0),
  proxy_ssl_ciphers: list(str()).nullable().default([]),
  proxy_ssl_disable_renegotiation: bool().default(false),
  ssl_force_common_name_check: bool().default(false),
  security: security.prefault({}),
  /** Seconds in-flight requests get to finish after SIGTERM/SIGINT. */
  graceful_shutdown_timeout_duration: seconds().default(30),
  hide_generator_header: bool().default(false),
  close_connections: bool().default(false),
  health_check_endpoint_name: str().default('hello'),
  readiness_check_endpoint_name: str().default('ready'),
  access_logs: accessLogs.prefault({}),
  policies: policies.prefault({}),
  /** Tyk: seconds a fetched JWKS is used (0: 240). */
  jwks: obj({ cache: obj({ timeout: int(0, Number.MAX_SAFE_INTEGER, 'a number of seconds (0 or more)').default(0) }).prefault({}) }).prefault({}),
  hookgate: hookgate.prefault({}),
});

export type TykConfig = z.output<typeof tykConfigSchema>;
