import { compileIdExtractor, type CompiledIdExtractor } from '../../coprocess/index.js';
import { fileAndPemResolver, type CertificateResolver } from '../crypto/index.js';
import { DEFAULT_UPSTREAM_TLS, upstreamProfileOf, type UpstreamProfile, type UpstreamTlsGlobals } from '../upstream-tls/index.js';
import type { Problem } from '../validation/index.js';
import { AUTH_CONFIG_KEYS, AUTH_METHOD_DESCRIPTIONS, AUTH_METHOD_FIELDS, authConfigOf, authMethodsOf, BASE_IDENTITY_METHODS, compileBasicAuth, compileHmacSettings, compileJwt, legacyAuthPlan, type AuthMethod, type AuthPlan } from './auth/index.js';
import type { LoadedBundle } from './bundle.js';
import { hookIsOn, pluginPlanOf, type PluginContext, type PluginPlan } from './plugins.js';
import type { ApiTlsPlan } from './model.js';
import type { ApiDefinition } from './schema.js';
import { checkApiTls, NO_TLS, type ApiTlsContext } from './tls.js';

/** What loading an API needs to know about the gateway's config. */
export interface ApiLoadContext extends PluginContext {
  readonly coprocessEnabled: boolean;
  /** Where the Python bridge for a bundle folder serves (the gateway launches it there). */
  readonly pythonAddress: (bundleDir: string) => string;
  /** The gateway's TLS settings; absent: no TLS, no custom domains. */
  readonly tls?: ApiTlsContext;
  /** The gateway's upstream TLS settings; a gateway that sets none when absent. */
  readonly upstreamTls?: UpstreamTlsGlobals;
  /** Reads the certificates definitions name; files and inline PEM from `upstreamTls.baseDir` when absent. */
  readonly certificates?: CertificateResolver;
}

/** A gateway with plugins switched off; what definitions are checked against without a config. */
export const NO_PLUGINS: ApiLoadContext = {
  coprocessEnabled: false,
  defaultServer: '',
  dispatchTimeoutMs: 2000,
  resolveServer: () => undefined,
  pythonAddress: () => '',
};

/** Auth methods this version can enforce. Each issue that adds one adds it here. */
const SUPPORTED_AUTH_METHODS: ReadonlySet<AuthMethod> = new Set<AuthMethod>(['basic', 'hmac', 'jwt', 'custom_plugin', 'auth_token']);

const HOOK_LISTS = ['pre', 'post_key_auth', 'post', 'response'] as const;
const KNOWN_EVENT_HANDLERS = new Set(['cp_dynamic_handler']);

export interface FeatureCheck {
  readonly errors: Problem[];
  readonly warnings: Problem[];
  /** Set when the API uses plugins and they are usable. */
  readonly plugins: PluginPlan | undefined;
  /** How the API authenticates. */
  readonly auth: AuthPlan;
  readonly tls: ApiTlsPlan;
  /** How the gateway connects to the API's upstream; undefined when its settings are wrong. */
  readonly upstream: UpstreamProfile | undefined;
}

/**
 * Checks a schema-valid definition against what this version implements and against the
 * gateway's config. Anything that would make the API less protected than in Tyk, or that would
 * only fail at request time, is an error (the API is refused); the rest are warnings. `authPlan`
 * is how the API authenticates: from its flags (Classic), or from its security requirements (OAS).
 * `bundle` is set when the API's custom_middleware came from a loaded plugin bundle.
 */
export function checkApiFeatures(
  def: ApiDefinition,
  context: ApiLoadContext = NO_PLUGINS,
  authPlan: AuthPlan = legacyAuthPlan(def),
  bundle?: LoadedBundle,
): FeatureCheck {
  const errors: Problem[] = [];
  const warnings: Problem[] = [];
  const refuse = (path: string, what: string) =>
    errors.push({ path, message: `\`${path}\`: ${what}, which Hookgate does not support yet; the API is refused rather than served without it` });
  const fail = (path: string, what: string) => errors.push({ path, message: `\`${path}\`: ${what}` });

  const methods = authMethodsOf(def);
  for (const method of methods) {
    if (SUPPORTED_AUTH_METHODS.has(method)) continue;
    if (method === 'auth_token' && !def.use_standard_auth) {
      refuse('use_keyless', `the API is protected (use_keyless is false) and no other method is on, so it needs ${AUTH_METHOD_DESCRIPTIONS[method]} (Tyk's default)`);
    } else {
      refuse(AUTH_METHOD_FIELDS[method], `the API needs ${AUTH_METHOD_DESCRIPTIONS[method]}`);
    }
  }
  if (def.use_keyless) {
    const flags = ['use_standard_auth', 'use_basic_auth', 'enable_jwt', 'enable_signature_checking', 'use_oauth2', 'use_openid', 'use_go_plugin_auth', 'enable_coprocess_auth', 'custom_plugin_auth_enabled'] as const;
    for (const flag of flags.filter((f) => def[f])) {
      warnings.push({ path: flag, message: `\`${flag}\` is ignored because \`use_keyless\` is true (as in Tyk, a keyless API runs no auth)` });
    }
  }

  const tokenConfig = def.auth_configs['authToken'] ?? def.auth;
  if (methods.includes('auth_token') && tokenConfig?.validate_signature === true) refuse('auth_configs.authToken.validate_signature', 'token signature validation');
  const tls = checkApiTls(def, methods, context.tls ?? NO_TLS, errors, warnings);
  if (tokenConfig?.use_certificate === true && !tls.certificateAuth) {
    warnings.push({ path: 'auth_configs.authToken.use_certificate', message: '`auth_configs.authToken.use_certificate` has no effect: the API does not use the auth token' });
  }
  for (const method of methods.filter((m) => m === 'auth_token' || m === 'hmac' || m === 'jwt')) {
    // Tyk's API validator: a method that reads a credential must read it from somewhere.
    const config = authConfigOf(def, method);
    const key = AUTH_CONFIG_KEYS[method];
    if (config?.disable_header === true && !config.use_param && !config.use_cookie) {
      fail(`auth_configs.${key}`, `all auth sources are disabled for ${key}, at least one of header/cookie/query must be enabled`);
    }
  }
  if (methods.includes('hmac')) {
    const hmac = compileHmacSettings(def);
    if (!hmac.ok) errors.push(...hmac.errors);
    else if (hmac.settings.clockSkewMs <= 0) {
      // Tyk's default: the Date is parsed but never compared to now, so a captured request replays forever.
      warnings.push({
        path: 'hmac_allowed_clock_skew',
        message: '`hmac_allowed_clock_skew` is 0 (Tyk\'s default): signed requests never expire, so a captured one can be replayed at any time; set it (in milliseconds, e.g. 30000)',
      });
    }
  }
  if (methods.includes('basic')) {
    const basic = compileBasicAuth(def, authConfigOf(def, 'basic'));
    if (!basic.ok) errors.push(...basic.errors);
  }
  if (methods.includes('jwt')) {
    const jwt = compileJwt(def);
    errors.push(...jwt.errors);
    warnings.push(...jwt.warnings);
  }
  const bip = def.base_identity_provided_by;
  const bipMethod = BASE_IDENTITY_METHODS[bip];
  if (!def.use_keyless && bip !== '' && (bipMethod === undefined || !methods.includes(bipMethod))) {
    fail('base_identity_provided_by', `${JSON.stringify(bip)} names an auth method this API does not use (it uses ${methods.join(', ')})`);
  }
  const cm = def.custom_middleware;
  const customAuth = methods.includes('custom_plugin');
  if (def.use_go_plugin_auth && !def.enable_coprocess_auth && !def.custom_plugin_auth_enabled) {
    refuse('use_go_plugin_auth', 'Go plugin auth');
  }
  if (customAuth && !hookIsOn(cm.auth_check)) {
    fail('custom_middleware.auth_check', 'custom plugin auth is on, but no auth_check hook is named (or it is disabled), so no request could ever authenticate');
  }
  for (const point of HOOK_LISTS) {
    cm[point].forEach((hook, index) => {
      if (hookIsOn(hook) && point === 'post_key_auth' && def.use_keyless) {
        warnings.push({ path: `custom_middleware.post_key_auth[${index}]`, message: `\`custom_middleware.post_key_auth[${index}]\` never runs: post_key_auth hooks run only on protected APIs (as in Tyk)` });
      }
    });
  }
  const usesHooks = (customAuth && hookIsOn(cm.auth_check)) || HOOK_LISTS.some((point) => cm[point].some(hookIsOn));

  let plugins: PluginPlan | undefined;
  if (usesHooks) {
    const server = pluginServerOf(def, context, bundle, fail, refuse);
    if (server !== undefined) {
      let extractor: CompiledIdExtractor | undefined;
      if (customAuth) {
        const compiled = compileIdExtractor(cm.id_extractor, { path: 'custom_middleware.id_extractor' });
        warnings.push(...compiled.warnings);
        if (compiled.status === 'invalid') errors.push(...compiled.errors);
        else if (compiled.status === 'compiled') extractor = compiled.extractor;
      }
      const python = cm.driver === 'python' && bundle !== undefined ? { dir: bundle.dir, name: bundle.name, address: server } : undefined;
      plugins = pluginPlanOf(def, server, context, customAuth, extractor, python);
    }
  }

  const hookNames = new Set([cm.auth_check.name, ...HOOK_LISTS.flatMap((point) => cm[point].map((h) => h.name))]);
  for (const [name, settings] of Object.entries(def.hookgate.hooks)) {
    const path = `hookgate.hooks.${name}`;
    if (!hookNames.has(name)) warnings.push({ path, message: `\`${path}\` names no hook of this API; its settings are ignored` });
    if (settings.fail_open && name === cm.auth_check.name && customAuth) {
      fail(`${path}.fail_open`, 'fail_open is not allowed on the auth hook: a failed auth call must never let a request through');
    }
  }
  for (const [event, handlers] of Object.entries(def.event_handlers.events)) {
    handlers.forEach((handler, index) => {
      const path = `event_handlers.events.${event}[${index}]`;
      if (!KNOWN_EVENT_HANDLERS.has(handler.handler_name)) {
        warnings.push({ path, message: `\`${path}\`: event handler ${JSON.stringify(handler.handler_name)} is not supported by Hookgate yet (only cp_dynamic_handler); it is ignored` });
      } else if (typeof handler.handler_meta['name'] !== 'string' || handler.handler_meta['name'] === '') {
        warnings.push({ path, message: `\`${path}.handler_meta.name\` should name the plugin function to call; this handler is ignored` });
      } else if (!usesHooks) {
        warnings.push({ path, message: `\`${path}\`: cp_dynamic_handler needs the API's plugins (a custom_middleware with driver "grpc" or "python"); this handler is ignored` });
      }
    });
  }

  if (def.version_data !== undefined && !def.version_data.not_versioned) {
    refuse('version_data.not_versioned', 'API versioning (not_versioned is false)');
  }
  const globals = context.upstreamTls ?? DEFAULT_UPSTREAM_TLS;
  const upstream = upstreamProfileOf(
    { targetUrl: def.proxy.target_url, transport: def.proxy.transport, ...def },
    globals,
    context.certificates ?? fileAndPemResolver(globals.baseDir),
  );
  errors.push(...upstream.problems);
  const listenPath = def.proxy.listen_path;
  if (listenPath.includes('{')) refuse('proxy.listen_path', `a path template in the listen path ${JSON.stringify(listenPath)}`);
  if (/[?#]/.test(listenPath) || /(^|\/)\.\.?(\/|$)/.test(listenPath)) {
    fail('proxy.listen_path', `must be a plain path without "?", "#", "." or ".." segments, got ${JSON.stringify(listenPath)}`);
  }
  return { errors, warnings, plugins: errors.length === 0 ? plugins : undefined, auth: authPlan, upstream: upstream.profile, tls };
}

/**
 * The plugin server an API's hooks are sent to, or undefined (with the reason added) when there is
 * none: for "grpc" the configured server, for "python" the bridge the gateway launches for the bundle.
 */
function pluginServerOf(
  def: ApiDefinition,
  context: ApiLoadContext,
  bundle: LoadedBundle | undefined,
  fail: (path: string, what: string) => void,
  refuse: (path: string, what: string) => void,
): string | undefined {
  const driver = def.custom_middleware.driver;
  if (driver === '') {
    fail('custom_middleware.driver', 'hooks are named but no driver is set (use "grpc", or "python" with a bundle)');
    return undefined;
  }
  if (driver !== 'grpc' && driver !== 'python') {
    refuse('custom_middleware.driver', `plugins with driver ${JSON.stringify(driver)} (Hookgate runs "grpc" and "python" plugins)`);
    return undefined;
  }
  if (!context.coprocessEnabled) {
    fail('custom_middleware.driver', `the API uses ${driver === 'grpc' ? 'gRPC' : 'Python'} plugin hooks, but coprocess_options.enable_coprocess is false in the gateway config`);
    return undefined;
  }
  const wanted = def.hookgate.plugin_server;
  if (driver === 'python') {
    if (bundle === undefined) {
      fail('custom_middleware.driver', 'driver "python" runs a bundle: set custom_middleware_bundle (a bundle by name, downloaded or cached in middleware_path/bundles) or hookgate.bundle_path (a bundle folder)');
      return undefined;
    }
    if (wanted !== '') {
      fail('hookgate.plugin_server', 'cannot be set with driver "python": the gateway runs the bundle in a Python bridge of its own (to run the bridge yourself, use driver "grpc" and point plugin_server at it)');
      return undefined;
    }
    return context.pythonAddress(bundle.dir);
  }
  const server = wanted === '' ? context.defaultServer : context.resolveServer(wanted);
  if (server === undefined) fail('hookgate.plugin_server', `no sidecar is named ${JSON.stringify(wanted.replace(/^sidecar:/, ''))}`);
  else if (server === '') fail('custom_middleware.driver', 'the API uses gRPC plugin hooks, but no plugin server is set (coprocess_options.coprocess_grpc_server, or hookgate.plugin_server in the API)');
  else return server;
  return undefined;
}
