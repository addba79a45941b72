export { findSession, withPolicies, type Lookup } from './lookup.js';
export { authMethodRunner } from './methods.js';
export { failWith, pass, type AuthFail, type AuthMethodRunner, type AuthPass, type AuthResult } from './method.js';
export { authStageOf, type MethodFactory } from './run.js';
export { DEFAULT_JWKS_SETTINGS, JwksCache, jwtMethod, type JwksLookup, type JwksSettings } from './jwt/index.js';
