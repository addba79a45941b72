import type { ForeignField, ForeignFieldCatalogue } from '../validation/index.js';

/**
 * Keys of Tyk's `tyk.conf` (config/config.go, TykTechnologies/tyk 2026-08) that Hookgate does not
 * implement yet. A key here that is switched on is warned about once, or refuses the config when
 * ignoring it would weaken security. A key in neither this list nor the schema is "unknown" and
 * gets a did-you-mean warning. When a feature lands, its key moves into the schema.
 */
const WARN_ONLY = [
  'allow_insecure_configs', 'allow_remote_config', 'allow_unsafe_policy_ids',
  'analytics_config', 'analytics_storage', 'auth_override', 'cache_storage',
  'cloud', 'consul', 'db_app_conf_options',
  'disable_auto_max_procs', 'disable_dashboard_zeroconf', 'disable_key_actions_by_username',
  'disable_ports_whitelist', 'disable_regexp_cache', 'disable_regexp_cache_bound', 'disable_virtual_path_blobs',
  'dns_cache', 'enable_analytics', 'enable_config_inspection',
  'enable_http_profiler', 'enable_jsvm', 'enable_key_logging',
  'enable_separate_analytics_store', 'enable_separate_cache_store', 'enforce_org_data_age',
  'enforce_org_data_detail_logging', 'enforce_org_quotas', 'error_overrides', 'event_handlers',
  'event_trigers_defunct', 'event_triggers_defunct', 'experimental_process_org_off_thread', 'external_services',
  'file', 'graceful_shutdown_delay_seconds',
  'graylog_network_addr', 'health_check', 'ignore_canonical_mime_header_key',
  'ignore_endpoint_case', 'jsvm_timeout', 'jwt_ssl_insecure_skip_verify', 'kv', 'labs',
  'legacy_enable_allowance_countdown', 'liveness_check', 'local_session_cache', 'logstash_network_addr',
  'logstash_transport', 'management_node', 'max_conn_time', 'max_idle_connections',
  'max_idle_connections_per_host', 'monitor', 'newrelic', 'node_secret', 'oas_config',
  'oauth_error_status_code', 'oauth_redirect_uri_separator', 'oauth_refresh_token_expire', 'oauth_token_expire',
  'oauth_token_expired_retain_period', 'opentelemetry', 'override_messages', 'pid_file_location',
  'ports_whitelist', 'proxy_close_connections', 'proxy_enable_http2', 'regexp_cache_expire', 'regexp_cache_max_entries', 'reload_interval',
  'resource_sync', 'secrets', 'sentry_code', 'sentry_log_level', 'service_discovery',
  'slave_options',
  'statsd_connection_string', 'statsd_prefix', 'stores', 'streaming', 'suppress_default_org_store',
  'suppress_redis_signal_reload', 'syslog_network_addr', 'syslog_transport', 'template_path', 'track_404_logs',
  'tracing', 'tyk_js_path', 'uptime_tests', 'use_db_app_configs', 'use_graylog', 'use_logstash', 'use_redis_log',
  'use_sentry', 'use_syslog', 'vault', 'version_header',
  // rate limiter selection (config/rate_limit.go, inlined into the config)
  'enable_fixed_window_rate_limiter', 'enable_redis_rolling_limiter', 'enable_sentinel_rate_limiter',
  'enable_rate_limit_smoothing', 'enable_non_transactional_rate_limiter', 'drl_notification_frequency',
  'drl_threshold', 'drl_enable_sentinel_rate_limiter',
  // http_server_options
  'http_server_options.enable_path_prefix_matching', 'http_server_options.enable_path_suffix_matching',
  'http_server_options.ssl_insecure_skip_verify', 'http_server_options.enable_websockets',
  'http_server_options.flush_interval',
  'http_server_options.skip_url_cleaning', 'http_server_options.skip_target_path_escaping',
  'http_server_options.xff_depth',
  // storage
  'storage.hosts', 'storage.master_name', 'storage.sentinel_password', 'storage.optimisation_max_idle',
  'storage.optimisation_max_active', 'storage.ssl_insecure_skip_verify', 'storage.ca_file', 'storage.cert_file',
  'storage.key_file', 'storage.tls_max_version', 'storage.tls_min_version', 'storage.compress_api_definitions',
  'storage.compress_policies', 'storage.max_decompressed_size', 'storage.iam_auth',
  // access_logs
  'access_logs.template',
  // security (the upstream keys, pinned_public_keys and certificates.upstream, are in the schema)
  'security.private_certificate_encoding_secret', 'security.control_api_use_mutual_tls',
  'security.allow_unsafe_dynamic_mtls_token', 'security.certificate_expiry_monitor',
  'security.certificates.control_api', 'security.certificates.dashboard_api', 'security.certificates.mdcb_api',
] as const;

/** Ignoring these would let through what Tyk stops, or send secrets in clear text. */
const REFUSE: Record<string, ForeignField> = {
  hostname: { effect: 'refuse', feature: 'restricting every API to one host name' },
  'http_server_options.max_response_body_size': { effect: 'refuse', feature: 'a response body size limit' },
  'storage.use_ssl': { effect: 'refuse', feature: 'TLS to Redis' },
};

export const TYK_CONFIG_FOREIGN_FIELDS: ForeignFieldCatalogue = new Map<string, ForeignField>([
  ...WARN_ONLY.map((key): [string, ForeignField] => [key, { effect: 'warn', feature: 'Tyk setting' }]),
  ...Object.entries(REFUSE),
]);
