import type { AuthConfig, AuthMethod } from '../auth/index.js';
import { oasTlsVersion } from '../../upstream-tls/index.js';
import type { OasCustomAuthConfig, OasPlugin, TykExtension } from './schema.js';
import type { OasSecurity, ResolvedScheme } from './security.js';
import { goDurationSeconds } from '../go-duration.js';

const X = 'x-tyk-api-gateway';

/** A Classic definition built from an OAS one, and where each of its fields came from. */
export interface ExtractedClassic {
  readonly definition: Record<string, unknown>;
  /** Classic path → OAS path, for reporting Classic-level problems where the user wrote them. */
  readonly origins: ReadonlyMap<string, string>;
}

/**
 * Tyk's OAS.ExtractTo for the fields Hookgate reads (tyk-config.md 2.1 to 2.8): the OAS API as
 * the Classic definition the rest of the gateway understands.
 */
export function extractClassic(ext: TykExtension, security: OasSecurity | undefined, hookgate: Record<string, unknown> | undefined): ExtractedClassic {
  const definition: Record<string, unknown> = {};
  const origins = new Map<string, string>();
  const put: Put = (classic, oas, value) => {
    origins.set(classic, oas);
    if (value !== undefined) setPath(definition, classic, value);
  };

  put('api_id', `${X}.info.id`, ext.info.id);
  put('name', `${X}.info.name`, ext.info.name);
  put('org_id', `${X}.info.orgId`, ext.info.orgId);
  put('active', `${X}.info.state.active`, ext.info.state.active);
  put('proxy.listen_path', `${X}.server.listenPath.value`, ext.server.listenPath.value);
  put('proxy.strip_listen_path', `${X}.server.listenPath.strip`, ext.server.listenPath.strip);
  put('proxy.target_url', `${X}.upstream.url`, ext.upstream.url);
  put('proxy.preserve_host_header', `${X}.upstream.preserveHostHeader.enabled`, ext.upstream.preserveHostHeader?.enabled);
  put('version_data', `${X}.info`, { not_versioned: true, versions: {} });
  extractUpstreamTls(ext, put);

  const auth = ext.server.authentication;
  put('use_keyless', `${X}.server.authentication.enabled`, auth?.enabled !== true);
  if (auth?.enabled === true && security !== undefined) {
    put('strip_auth_data', `${X}.server.authentication.stripAuthorizationData`, auth.stripAuthorizationData);
    put('base_identity_provided_by', `${X}.server.authentication.baseIdentityProvider`, auth.baseIdentityProvider);
    const lifetime = auth.customKeyLifetime;
    if (lifetime?.enabled === true) put('session_lifetime', `${X}.server.authentication.customKeyLifetime.value`, goDurationSeconds(lifetime.value) ?? lifetime.value);
    extractMethods(security.requirements.flat(), put);
  }

  const mtls = ext.server.clientCertificates;
  if (mtls !== undefined) {
    put('use_mutual_tls_auth', `${X}.server.clientCertificates.enabled`, mtls.enabled);
    put('client_certificates', `${X}.server.clientCertificates.allowlist`, mtls.allowlist);
  }
  const domain = ext.server.customDomain;
  if (domain !== undefined) {
    put('domain', `${X}.server.customDomain.name`, domain.name);
    put('domain_disabled', `${X}.server.customDomain.enabled`, !domain.enabled);
    put('certificates', `${X}.server.customDomain.certificates`, domain.certificates);
  }
  extractPlugins(ext, put);
  if (hookgate !== undefined) {
    const fromOas = definition['hookgate'] as Record<string, unknown> | undefined;
    put('hookgate', 'x-hookgate', { ...hookgate, ...fromOas });
  }
  return { definition, origins };
}

type Put = (classic: string, oas: string, value: unknown) => void;

const FLAGS: Partial<Record<AuthMethod, string>> = {
  auth_token: 'use_standard_auth',
  basic: 'use_basic_auth',
  jwt: 'enable_jwt',
  hmac: 'enable_signature_checking',
  custom_plugin: 'custom_plugin_auth_enabled',
};
const CONFIG_KEYS: Partial<Record<AuthMethod, string>> = { auth_token: 'authToken', basic: 'basic', jwt: 'jwt', hmac: 'hmac', custom_plugin: 'coprocess' };

/** Each method in the requirements: its flag, its auth config (the first scheme's) and its settings. */
function extractMethods(schemes: readonly ResolvedScheme[], put: Put): void {
  const done = new Set<AuthMethod>();
  for (const scheme of schemes) {
    if (done.has(scheme.method)) continue;
    done.add(scheme.method);
    const flag = FLAGS[scheme.method];
    const configKey = CONFIG_KEYS[scheme.method];
    if (flag !== undefined) put(flag, `${scheme.at}.enabled`, true);
    if (configKey !== undefined && scheme.config !== undefined) put(`auth_configs.${configKey}`, scheme.at, scheme.config satisfies AuthConfig);
    const s = scheme.settings;
    const at = (key: string) => `${scheme.at}.${key}`;
    switch (scheme.method) {
      case 'basic': {
        const body = s['extractCredentialsFromBody'] as { enabled: boolean; userRegexp: string; passwordRegexp: string } | undefined;
        put('basic_auth.disable_caching', at('disableCaching'), s['disableCaching']);
        put('basic_auth.cache_ttl', at('cacheTTL'), s['cacheTTL']);
        put('basic_auth.extract_from_body', at('extractCredentialsFromBody.enabled'), body?.enabled);
        put('basic_auth.body_user_regexp', at('extractCredentialsFromBody.userRegexp'), body?.userRegexp);
        put('basic_auth.body_password_regexp', at('extractCredentialsFromBody.passwordRegexp'), body?.passwordRegexp);
        break;
      }
      case 'jwt': {
        const uris = s['jwksURIs'] as { url: string; cacheTimeout: number }[] | undefined;
        put('jwt_source', at('source'), s['source']);
        put('jwt_jwks_uris', at('jwksURIs'), uris?.map((u) => ({ url: u.url, cache_timeout: u.cacheTimeout })));
        put('jwt_signing_method', at('signingMethod'), s['signingMethod']);
        put('jwt_identity_base_field', at('identityBaseField'), s['identityBaseField']);
        put('jwt_skip_kid', at('skipKid'), s['skipKid']);
        put('jwt_policy_field_name', at('policyFieldName'), s['policyFieldName']);
        put('jwt_client_base_field', at('clientBaseField'), s['clientBaseField']);
        put('jwt_default_policies', at('defaultPolicies'), s['defaultPolicies']);
        put('jwt_issued_at_validation_skew', at('issuedAtValidationSkew'), s['issuedAtValidationSkew']);
        put('jwt_not_before_validation_skew', at('notBeforeValidationSkew'), s['notBeforeValidationSkew']);
        put('jwt_expires_at_validation_skew', at('expiresAtValidationSkew'), s['expiresAtValidationSkew']);
        put('idp_client_id_mapping_disabled', at('idpClientIdMappingDisabled'), s['idpClientIdMappingDisabled']);
        // Tyk reads these from the OAS document only; Classic has no field, so they travel in `hookgate`.
        put('hookgate.jwt.allowed_issuers', at('allowedIssuers'), s['allowedIssuers']);
        put('hookgate.jwt.allowed_audiences', at('allowedAudiences'), s['allowedAudiences']);
        break;
      }
      case 'hmac':
        put('hmac_allowed_algorithms', at('allowedAlgorithms'), s['allowedAlgorithms']);
        put('hmac_allowed_clock_skew', at('allowedClockSkew'), s['allowedClockSkew']);
        break;
      case 'custom_plugin':
        extractCustomAuth(s['config'] as OasCustomAuthConfig | undefined, `${scheme.at}.config`, put);
        break;
      default:
        break;
    }
  }
}

function extractCustomAuth(config: OasCustomAuthConfig | undefined, at: string, put: Put): void {
  put('custom_middleware.auth_check', at, undefined);
  if (config === undefined) return;
  put('custom_middleware.auth_check.name', `${at}.functionName`, config.functionName);
  put('custom_middleware.auth_check.path', `${at}.path`, config.path);
  put('custom_middleware.auth_check.disabled', `${at}.enabled`, !config.enabled);
  put('custom_middleware.auth_check.raw_body_only', `${at}.rawBodyOnly`, config.rawBodyOnly);
  put('custom_middleware.auth_check.require_session', `${at}.requireSession`, config.requireSession);
  const extractor = config.idExtractor;
  if (extractor === undefined) return;
  const ex = `${at}.idExtractor`;
  put('custom_middleware.id_extractor.disabled', `${ex}.enabled`, !extractor.enabled);
  put('custom_middleware.id_extractor.extract_from', `${ex}.source`, extractor.source);
  put('custom_middleware.id_extractor.extract_with', `${ex}.with`, extractor.with);
  const c = extractor.config ?? {};
  const cfg = `custom_middleware.id_extractor.extractor_config`;
  put(`${cfg}.header_name`, `${ex}.config.headerName`, c.headerName);
  put(`${cfg}.form_param_name`, `${ex}.config.formParamName`, c.formParamName);
  put(`${cfg}.regex_expression`, `${ex}.config.regexp`, c.regexp);
  put(`${cfg}.regex_match_index`, `${ex}.config.regexpMatchIndex`, c.regexpMatchIndex);
  put(`${cfg}.xpath_expression`, `${ex}.config.xPathExp`, c.xPathExp);
}

/** `upstream.tlsTransport`, `.proxy`, `.mutualTLS` and `.certificatePinning` (apidef/oas/upstream.go). */
function extractUpstreamTls(ext: TykExtension, put: Put): void {
  const U = `${X}.upstream`;
  const tls = ext.upstream.tlsTransport;
  if (tls !== undefined) {
    put('proxy.transport.ssl_insecure_skip_verify', `${U}.tlsTransport.insecureSkipVerify`, tls.insecureSkipVerify);
    put('proxy.transport.ssl_min_version', `${U}.tlsTransport.minVersion`, oasTlsVersion(tls.minVersion ?? '') ?? 0);
    put('proxy.transport.ssl_max_version', `${U}.tlsTransport.maxVersion`, oasTlsVersion(tls.maxVersion ?? '') ?? 0);
    put('proxy.transport.ssl_ciphers', `${U}.tlsTransport.ciphers`, tls.ciphers ?? []);
    put('proxy.transport.ssl_force_common_name_check', `${U}.tlsTransport.forceCommonNameCheck`, tls.forceCommonNameCheck);
  }
  // Tyk ignores `enabled` and uses any url; Hookgate honours `enabled: false` (readOasApi warns).
  const proxy = ext.upstream.proxy;
  if (proxy?.enabled === true) put('proxy.transport.proxy_url', `${U}.proxy.url`, proxy.url);
  const mtls = ext.upstream.mutualTLS;
  if (mtls !== undefined) {
    const at = `${U}.mutualTLS.domainToCertificateMapping`;
    put('upstream_certificates_disabled', `${U}.mutualTLS.enabled`, !mtls.enabled);
    put('upstream_certificates', at, Object.fromEntries(mtls.domainToCertificateMapping.map((m) => [m.domain, m.certificate])));
    mtls.domainToCertificateMapping.forEach((m, i) => put(`upstream_certificates[${JSON.stringify(m.domain)}]`, `${at}[${i}].certificate`, undefined));
  }
  const pinning = ext.upstream.certificatePinning;
  if (pinning !== undefined) {
    const at = `${U}.certificatePinning.domainToPublicKeysMapping`;
    put('certificate_pinning_disabled', `${U}.certificatePinning.enabled`, !pinning.enabled);
    put('pinned_public_keys', at, Object.fromEntries(pinning.domainToPublicKeysMapping.map((m) => [m.domain, m.publicKeys.join(',')])));
    pinning.domainToPublicKeysMapping.forEach((m, i) => put(`pinned_public_keys[${JSON.stringify(m.domain)}]`, `${at}[${i}].publicKeys`, undefined));
  }
}

const PLUGIN_LISTS = [
  ['pre', 'prePlugins', 'prePlugin'],
  ['post_key_auth', 'postAuthenticationPlugins', 'postAuthenticationPlugin'],
  ['post', 'postPlugins', 'postPlugin'],
  ['response', 'responsePlugins', 'responsePlugin'],
] as const;

/** `middleware.global`: the driver, bundle, config data and hook lists (plural form wins). */
function extractPlugins(ext: TykExtension, put: Put): void {
  const global = ext.middleware?.global;
  if (global === undefined) return;
  const G = `${X}.middleware.global`;
  const config = global.pluginConfig;
  put('custom_middleware.driver', `${G}.pluginConfig.driver`, config?.driver);
  put('custom_middleware_bundle', `${G}.pluginConfig.bundle.path`, config?.bundle?.path ?? '');
  put('custom_middleware_bundle_disabled', `${G}.pluginConfig.bundle.enabled`, config?.bundle?.enabled !== true);
  if (config?.data !== undefined) {
    put('config_data', `${G}.pluginConfig.data.value`, config.data.value);
    put('config_data_disabled', `${G}.pluginConfig.data.enabled`, !config.data.enabled);
  }
  for (const [classic, plural, singular] of PLUGIN_LISTS) {
    const list: readonly OasPlugin[] | undefined = global[plural] ?? global[singular]?.plugins;
    const from = global[plural] !== undefined ? `${G}.${plural}` : `${G}.${singular}.plugins`;
    if (list === undefined) continue;
    put(`custom_middleware.${classic}`, from, list.map((p) => ({ name: p.functionName, path: p.path, disabled: !p.enabled, raw_body_only: p.rawBodyOnly, require_session: p.requireSession })));
    list.forEach((_, i) => put(`custom_middleware.${classic}[${i}]`, `${from}[${i}]`, undefined));
  }
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (next === null || typeof next !== 'object') node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys.at(-1) as string] = value;
}
