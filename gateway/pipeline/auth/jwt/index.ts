export { DEFAULT_JWKS_SETTINGS, JwksCache, type JwksLookup, type JwksSettings } from './jwks-cache.js';
export { jwtMethod } from './runner.js';
