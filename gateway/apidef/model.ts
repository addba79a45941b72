import { legacyAuthPlan, type AuthPlan } from './auth/index.js';
import type { PluginPlan } from './plugins.js';
import { PLAIN_PROFILE, type UpstreamProfile } from '../upstream-tls/index.js';
import type { ApiDefinition } from './schema.js';

/** Where an API's requests go, split once at load so the request path does no URL parsing. */
export interface UpstreamTarget {
  /** `http://host:port`, the key of the upstream connection pool. */
  readonly origin: string;
  /** The target URL's path, joined in front of the request path. */
  readonly basePath: string;
  /** The target URL's query without "?", merged in front of the request's query. */
  readonly baseQuery: string;
  /** The Host header sent upstream unless `preserve_host_header`. */
  readonly host: string;
  readonly secure: boolean;
}

/** An API's TLS-related settings, resolved at load (docs/tls.md). */
export interface ApiTlsPlan {
  /** The host it answers on (lowercased), "" for any: `domain` when custom domains are on. */
  readonly domain: string;
  /** Static mTLS: the allow list (API entries, then `security.certificates.apis`); undefined when off. */
  readonly clientCertificates: readonly string[] | undefined;
  /** Server key pairs for `domain` (SNI), before the gateway's own. */
  readonly serverCertificates: readonly string[];
  /** Certificate auth on the auth token (`use_certificate` / `enableClientCertificate`). */
  readonly certificateAuth: boolean;
}

export const NO_TLS_PLAN: ApiTlsPlan = { domain: '', clientCertificates: undefined, serverCertificates: [], certificateAuth: false };

/** A loaded, servable API. Frozen. */
export interface ApiSpec {
  readonly id: string;
  readonly name: string;
  readonly orgId: string;
  /** The file it was loaded from. */
  readonly file: string;
  readonly listenPath: string;
  /** The listen path as routed: "/" or "/a/b" (no trailing slash). */
  readonly routePrefix: string;
  readonly target: UpstreamTarget;
  /** How connections to the upstream are made (TLS, client certificate, pins, forward proxy); shared by equal APIs. */
  readonly upstream: UpstreamProfile;
  readonly stripListenPath: boolean;
  readonly preserveHostHeader: boolean;
  readonly disableStripSlash: boolean;
  readonly keyless: boolean;
  /** How requests authenticate: the methods, their order and the processing mode. */
  readonly auth: AuthPlan;
  /** How the API calls its plugins; undefined when it has no hooks. */
  readonly plugins: PluginPlan | undefined;
  readonly tls: ApiTlsPlan;
  /** The version's `global_size_limit` in bytes; Infinity when none (docs/limits.md). */
  readonly maxBodyBytes: number;
  /** The validated definition, for stages that need more than the fields above. */
  readonly definition: ApiDefinition;
}

/** "/" for the root, otherwise the path without its trailing slashes. */
export function routePrefixOf(listenPath: string): string {
  const trimmed = listenPath.replace(/\/+$/, '');
  return trimmed === '' ? '/' : trimmed;
}

export function upstreamTargetOf(targetUrl: string): UpstreamTarget {
  const url = new URL(targetUrl);
  return {
    origin: url.origin,
    basePath: url.pathname,
    baseQuery: url.search.replace(/^\?/, ''),
    host: url.host,
    secure: url.protocol === 'https:',
  };
}

export function apiSpecOf(def: ApiDefinition, file: string, plugins?: PluginPlan, auth: AuthPlan = legacyAuthPlan(def), upstream: UpstreamProfile = PLAIN_PROFILE, tls: ApiTlsPlan = NO_TLS_PLAN): ApiSpec {
  return {
    id: def.api_id,
    name: def.name,
    orgId: def.org_id,
    file,
    listenPath: def.proxy.listen_path,
    routePrefix: routePrefixOf(def.proxy.listen_path),
    target: upstreamTargetOf(def.proxy.target_url),
    upstream,
    stripListenPath: def.proxy.strip_listen_path,
    preserveHostHeader: def.proxy.preserve_host_header,
    disableStripSlash: def.proxy.disable_strip_slash,
    keyless: def.use_keyless,
    auth,
    plugins,
    tls,
    maxBodyBytes: bodyLimitOf(def),
    definition: def,
  };
}

/**
 * The smallest enabled `global_size_limit` of the API's versions. Hookgate serves unversioned
 * APIs only, where Tyk picks one version of the map; the smallest is the safe reading.
 */
function bodyLimitOf(def: ApiDefinition): number {
  let limit = Infinity;
  for (const version of Object.values(def.version_data?.versions ?? {})) {
    if (!version.global_size_limit_disabled && version.global_size_limit > 0) limit = Math.min(limit, version.global_size_limit);
  }
  return limit;
}
