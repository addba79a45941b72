import { isZeroValue, type ForeignField, type ForeignFieldCatalogue } from '../validation/index.js';

/**
 * Fields of Tyk's Classic API definition (apidef/api_definitions.go, TykTechnologies/tyk 2026-08)
 * that Hookgate does not implement yet, and what happens when a definition switches one on.
 * See ForeignField: `refuse` where ignoring the field would let through a request Tyk stops.
 */

type Effect = 'refuse' | 'warn' | 'off';
const asRecord = (value: unknown): Record<string, unknown> =>
  value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : {};
const docField = (doc: unknown, key: string): unknown => asRecord(doc)[key];

const refuse = (feature: string, classify?: (value: unknown, doc: unknown) => Effect): ForeignField =>
  classify === undefined ? { effect: 'refuse', feature } : { effect: 'refuse', feature, classify };
const warn = (feature: string, classify?: (value: unknown, doc: unknown) => Effect): ForeignField =>
  classify === undefined ? { effect: 'warn', feature } : { effect: 'warn', feature, classify };
/** Known to Tyk, but with no effect while the feature that reads it is off (and refused when on). */
const noEffect = (feature: string): ForeignField => ({ effect: 'warn', feature, classify: () => 'off' });
/** Effect decided by one boolean inside the field's object (`{"enable": true, ...}`). */
const whenFlag = (flag: string, effect: 'refuse' | 'warn') => (value: unknown): Effect =>
  asRecord(value)[flag] === true ? effect : 'off';

const AUTH_FIELDS_WITHOUT_EFFECT = [
  'openid_options', 'oauth_meta', 'allowed_access_types', 'allowed_authorize_types', 'auth_login_redirect',
  'notifications', 'security_requirement_scopes', 'auth_provider',
  'session_provider', 'session_lifetime_respects_key_expiration', 'dont_set_quota_on_create',
  'disable_rate_limit', 'disable_quota', 'allowed_ips', 'blacklisted_ips', 'ip_access_control_disabled',
  'error_overrides_disabled',
  'tags_disabled',
];

const METADATA = ['id', 'slug', 'definition', 'is_oas', 'tags', 'expire_analytics_after', 'do_not_track',
  'enable_detailed_recording', 'detailed_tracing', 'analytics_plugin', 'application_protocol', 'json_rpc_version'];

const entries: Record<string, ForeignField> = {
  // Authentication this version does not implement: never serve the API without it. (The auth
  // method flags themselves are in the schema; see auth-methods.ts.)
  external_oauth: refuse('external OAuth', whenFlag('enabled', 'refuse')),
  // Classic definitions run legacy mode (every enabled method must pass), as in Tyk: stricter, never looser.
  security_requirements: warn('OpenAPI security requirements (a Classic definition runs legacy mode: every enabled method must pass)'),

  // Access control and limits.
  enable_ip_whitelisting: refuse('an IP allow list'),
  enable_ip_blacklisting: refuse('an IP block list'),
  internal: refuse('internal-only APIs (reachable only from other APIs)'),
  global_rate_limit: refuse('an API-wide rate limit', (value) => {
    const rate = asRecord(value)['rate'];
    return typeof rate === 'number' && rate > 0 && asRecord(value)['disabled'] !== true ? 'refuse' : 'off';
  }),
  listen_port: refuse('a listener port of its own'),
  protocol: refuse('a non-HTTP protocol', (value) => (value === '' || value === 'http' || value === undefined ? 'off' : 'refuse')),
  expiration: refuse('an API expiry date'),
  graphql: refuse('GraphQL execution', whenFlag('enabled', 'refuse')),
  'proxy.service_discovery': refuse('service discovery for the upstream', whenFlag('use_discovery_service', 'refuse')),

  // Behaviour changes that let nothing extra through: one warning.
  CORS: warn('CORS handling', whenFlag('enable', 'warn')),
  cache_options: warn('response caching', whenFlag('enable_cache', 'warn')),
  enable_context_vars: warn('context variables'),
  enable_batch_request_support: warn('batch requests'),
  response_processors: warn('response processors'),
  error_overrides: warn('error overrides', (value, doc) =>
    !isZeroValue(value) && docField(doc, 'error_overrides_disabled') !== true ? 'warn' : 'off'),
  upstream_auth: warn('upstream authentication'),
  request_signing: warn('upstream request signing', whenFlag('is_enabled', 'warn')),
  uptime_tests: warn('uptime tests'),
  tag_headers: warn('tag headers'),
  enable_proxy_protocol: warn('PROXY protocol'),
  'proxy.enable_load_balancing': warn('load balancing over proxy.target_list (only target_url is used)'),
  'proxy.target_list': noEffect('load-balancing targets'),
  'proxy.check_host_against_uptime_tests': warn('uptime-test host checks'),

  // Per-version settings. Lists that block or validate requests refuse; the rest warn.
  'version_data.versions.*.expires': refuse('a version expiry date'),
  'version_data.versions.*.white_list': refuse('an endpoint allow list'),
  'version_data.versions.*.black_list': refuse('an endpoint block list'),
  'version_data.versions.*.paths': refuse('endpoint allow/block lists', (value) => {
    const paths = asRecord(value);
    if (!isZeroValue(paths['white_list']) || !isZeroValue(paths['black_list'])) return 'refuse';
    return isZeroValue(value) ? 'off' : 'warn';
  }),
  'version_data.versions.*.extended_paths': refuse('endpoint middleware (extended_paths)', (value) => {
    const paths = asRecord(value);
    const blocking = ['white_list', 'black_list', 'validate_json', 'validate_request', 'size_limits', 'rate_limit', 'internal'];
    if (blocking.some((key) => !isZeroValue(paths[key]))) return 'refuse';
    return isZeroValue(value) ? 'off' : 'warn';
  }),
  'version_data.versions.*.ignored': warn('endpoints that skip authentication'),
  'version_data.versions.*.use_extended_paths': noEffect('endpoint middleware switch'),
  'version_data.versions.*.global_headers': warn('global request headers'),
  'version_data.versions.*.global_headers_remove': warn('global request header removal'),
  'version_data.versions.*.global_headers_disabled': noEffect('global headers switch'),
  'version_data.versions.*.global_response_headers': warn('global response headers'),
  'version_data.versions.*.global_response_headers_remove': warn('global response header removal'),
  'version_data.versions.*.global_response_headers_disabled': noEffect('global response headers switch'),
  'version_data.versions.*.global_enforce_timeout': warn('a version-wide upstream timeout'),
  'version_data.versions.*.global_enforce_timeout_disabled': noEffect('timeout switch'),
  'version_data.versions.*.ignore_endpoint_case': noEffect('endpoint case matching'),
  'version_data.versions.*.override_target': warn('a per-version upstream target'),
};

for (const key of AUTH_FIELDS_WITHOUT_EFFECT) entries[key] ??= noEffect('setting of a feature that is off');
for (const key of METADATA) entries[key] ??= noEffect('metadata');

export const TYK_APIDEF_FOREIGN_FIELDS: ForeignFieldCatalogue = new Map(Object.entries(entries));
