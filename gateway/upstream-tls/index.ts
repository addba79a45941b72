export { envProxyFor, envProxyOf, parseForwardProxy, type EnvProxy, type ForwardProxy } from './forward-proxy.js';
export { DEFAULT_UPSTREAM_TLS, resolveUpstreamTlsGlobals, type UpstreamTlsConfigInput, type UpstreamTlsGlobals } from './globals.js';
export { certificateKeysFor, lookupHost, pinKeysFor } from './host-maps.js';
export { PLAIN_PROFILE, upstreamProfileOf, type ApiUpstreamInput, type UpstreamProfile, type UpstreamTlsOptions } from './profile.js';
export { DEFAULT_MAX_TLS, DEFAULT_MIN_TLS, oasTlsVersion, resolveTlsVersions, tlsVersionName, type TlsVersionName } from './versions.js';
