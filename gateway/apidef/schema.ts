import * as z from 'zod';
import { fields } from '../validation/index.js';

const { str, nonEmptyStr, bool, int, oneOf, obj, list, dict, httpUrl } = fields;

const LISTEN_PATH = 'a string starting with / (the path prefix the API is served on)';

const authConfig = obj({
  name: str().default(''),
  auth_header_name: str().default(''),
  disable_header: bool().default(false),
  use_param: bool().default(false),
  param_name: str().default(''),
  use_cookie: bool().default(false),
  cookie_name: str().default(''),
  use_certificate: bool().default(false),
  validate_signature: bool().default(false),
  signature: dict(z.unknown()).optional(),
});

/** Tyk's `basic_auth` (apidef BasicAuthMeta); read only when `use_basic_auth` is on. */
const basicAuth = obj({
  disable_caching: bool().default(false),
  /** Seconds a successful bcrypt check is remembered; 0 or less means Tyk's 60. */
  cache_ttl: int(-(2 ** 31), 2 ** 31 - 1, 'a whole number of seconds (0 or less: 60)').default(0),
  extract_from_body: bool().default(false),
  body_user_regexp: str().default(''),
  body_password_regexp: str().default(''),
});

/** One JWKS of `jwt_jwks_uris`; `cache_timeout` is a Go duration ("30s", "5m", "1h30m"). */
const jwksUri = obj({
  url: httpUrl(),
  cache_timeout: str('a Go duration such as "30s" or "5m"').default(''),
});

const middlewareDefinition = obj({
  name: str().default(''),
  path: str().default(''),
  disabled: bool().default(false),
  require_session: bool().default(false),
  raw_body_only: bool().default(false),
});

const idExtractor = obj({
  disabled: bool().default(false),
  extract_from: oneOf(['', 'header', 'form', 'body', 'querystring']).default(''),
  extract_with: oneOf(['', 'value', 'regex', 'xpath']).default(''),
  extractor_config: dict(z.unknown()).default({}),
});

export const customMiddlewareSchema = obj({
  driver: oneOf(['', 'otto', 'javascript', 'python', 'lua', 'grpc', 'goplugin']).default(''),
  pre: list(middlewareDefinition).default([]),
  post: list(middlewareDefinition).default([]),
  post_key_auth: list(middlewareDefinition).default([]),
  response: list(middlewareDefinition).default([]),
  auth_check: middlewareDefinition.prefault({}),
  traffic_logs: middlewareDefinition.optional(),
  id_extractor: idExtractor.prefault({}),
});

/** Tyk's uint16 TLS protocol numbers; which values are allowed is checked with the profile. */
const tlsVersion = () => int(0, 65535, 'a TLS version: 771 (TLS 1.2), 772 (TLS 1.3), or 0 for the gateway default');

/** `proxy.transport`: the API's upstream TLS settings and forward proxy (docs/upstream-tls.md). */
const transport = obj({
  ssl_insecure_skip_verify: bool().default(false),
  ssl_ciphers: list(str()).nullable().default([]),
  ssl_min_version: tlsVersion().default(0),
  ssl_max_version: tlsVersion().default(0),
  ssl_force_common_name_check: bool().default(false),
  proxy_url: str().default(''),
});

const proxy = obj({
  listen_path: z.string({ error: LISTEN_PATH }).startsWith('/', { error: LISTEN_PATH }),
  target_url: httpUrl(),
  strip_listen_path: bool().default(false),
  preserve_host_header: bool().default(false),
  disable_strip_slash: bool().default(false),
  transport: transport.prefault({}),
});

/** Hookgate's per-hook settings, keyed by hook name in the API's `hookgate.hooks`. */
const hookSettings = obj({
  dispatch_timeout_ms: int(1, 600_000).optional(),
  /** Non-auth hooks only: a failed call lets the request continue unchanged (logged and counted). */
  fail_open: bool().default(false),
});

/** Hookgate's own API settings, kept apart from Tyk's keys. */
const hookgateApi = obj({
  /** The plugin server for this API: a gRPC target or `sidecar:<name>`; default coprocess_grpc_server. */
  plugin_server: str().default(''),
  /**
   * A bundle folder (manifest.json and its files), relative to this definition's folder: used as
   * Tyk uses an extracted bundle, without downloading anything. Set it or custom_middleware_bundle.
   */
  bundle_path: str().default(''),
  dispatch_timeout_ms: int(1, 600_000).optional(),
  hooks: dict(hookSettings).default({}),
  /**
   * Tyk OAS's JWT `allowedIssuers` and `allowedAudiences` (tyk-config.md 2.3), which Tyk Classic
   * lacks: set from an OAS definition, or here in a Classic one. Empty: not checked.
   */
  jwt: obj({
    allowed_issuers: list(str()).default([]),
    allowed_audiences: list(str()).default([]),
  }).prefault({}),
});

const eventHandler = obj({
  handler_name: str().default(''),
  handler_meta: dict(z.unknown()).default({}),
});

const versionInfo = obj({
  name: str().default(''),
  /** Tyk: largest request body in bytes for this version; 0 = none (Hookgate: 413, docs/limits.md). */
  global_size_limit: int(0, Number.MAX_SAFE_INTEGER, 'a number of bytes (0 or more)').default(0),
  global_size_limit_disabled: bool().default(false),
});

const versionData = obj({
  not_versioned: bool().default(false),
  default_version: str().default(''),
  versions: dict(versionInfo).default({}),
});

export const apiDefinitionSchema = obj({
  api_id: nonEmptyStr("a non-empty string (the API's unique id)"),
  name: str().default(''),
  org_id: str().default(''),
  /** Hookgate: false means "do not load"; absent means active. */
  active: bool().default(true),
  proxy,
  use_keyless: bool().default(false),
  use_standard_auth: bool().default(false),
  use_basic_auth: bool().default(false),
  basic_auth: basicAuth.prefault({}),
  enable_jwt: bool().default(false),
  enable_signature_checking: bool().default(false),
  /** HMAC algorithm names a signature may use; empty (or null): any Hookgate computes. */
  hmac_allowed_algorithms: list(str()).nullable().default([]),
  /** Maximum |now - Date| in ms; 0 or less: not compared. A float, as in Tyk. */
  hmac_allowed_clock_skew: z.number({ error: 'a number of milliseconds' }).default(0),
  use_oauth2: bool().default(false),
  use_openid: bool().default(false),
  use_go_plugin_auth: bool().default(false),
  enable_coprocess_auth: bool().default(false),
  custom_plugin_auth_enabled: bool().default(false),
  jwt_signing_method: oneOf(['', 'hmac', 'rsa', 'ecdsa']).default(''),
  jwt_source: str().default(''),
  jwt_jwks_uris: list(jwksUri).default([]),
  jwt_identity_base_field: str().default(''),
  jwt_client_base_field: str().default(''),
  jwt_policy_field_name: str().default(''),
  jwt_default_policies: list(str()).default([]),
  jwt_skip_kid: bool().default(false),
  jwt_expires_at_validation_skew: int(0, Number.MAX_SAFE_INTEGER, 'a number of seconds (0 or more)').default(0),
  jwt_issued_at_validation_skew: int(0, Number.MAX_SAFE_INTEGER, 'a number of seconds (0 or more)').default(0),
  jwt_not_before_validation_skew: int(0, Number.MAX_SAFE_INTEGER, 'a number of seconds (0 or more)').default(0),
  jwt_scope_to_policy_mapping: dict(str()).default({}),
  jwt_scope_claim_name: str().default(''),
  /** Tyk's scope mappings (`scopes.jwt`, `scopes.oidc`); only checked, see apidef/auth/jwt.ts. */
  scopes: dict(z.unknown()).default({}),
  idp_client_id_mapping_disabled: bool().default(false),
  auth: authConfig.optional(),
  auth_configs: dict(authConfig).default({}),
  strip_auth_data: bool().default(false),
  /** Static mTLS: the client certificate must be in `client_certificates` (or chain to a CA there). */
  use_mutual_tls_auth: bool().default(false),
  /** Certificate store IDs, PEM files or inline PEM: allowed client certificates and CAs. */
  client_certificates: list(str()).nullable().default([]),
  /** The host this API answers on (with the gateway's `enable_custom_domains`); "" = any. */
  domain: str().default(''),
  domain_disabled: bool().default(false),
  /** Server key pairs for `domain` (IDs, files or inline PEM), chosen by SNI before the gateway's. */
  certificates: list(str()).nullable().default([]),
  /** The docs' name for `certificates` (Tyk's code reads `certificates`); both are used. */
  certificate_pairs: list(str()).nullable().default([]),
  base_identity_provided_by: oneOf(['', 'auth_token', 'jwt_claim', 'basic_auth_user', 'hmac_key', 'custom_auth', 'oidc_user', 'oauth_key']).default(''),
  custom_middleware: customMiddlewareSchema.prefault({}),
  custom_middleware_bundle: str().default(''),
  custom_middleware_bundle_disabled: bool().default(false),
  config_data: dict(z.unknown()).default({}),
  config_data_disabled: bool().default(false),
  session_lifetime: int(0, Number.MAX_SAFE_INTEGER, 'a number of seconds (0 or more)').default(0),
  /** Upstream client certificates: host (`*`, `*.domain`, host[:port]) → certificate with its key. */
  upstream_certificates: dict(str()).nullable().default({}),
  upstream_certificates_disabled: bool().default(false),
  /** Upstream public-key pinning: host (`*`, `*.domain`, host) → comma list of public keys. */
  pinned_public_keys: dict(str()).nullable().default({}),
  certificate_pinning_disabled: bool().default(false),
  version_data: versionData.optional(),
  event_handlers: obj({ events: dict(list(eventHandler)).default({}) }).prefault({}),
  hookgate: hookgateApi.prefault({}),
});

export type ApiDefinition = z.output<typeof apiDefinitionSchema>;
export type MiddlewareDefinition = z.output<typeof middlewareDefinition>;
export type CustomMiddleware = z.output<typeof customMiddlewareSchema>;
