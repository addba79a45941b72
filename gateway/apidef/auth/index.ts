export { AUTH_METHOD_DESCRIPTIONS, AUTH_METHOD_FIELDS, AUTH_METHODS, authMethodsOf, BASE_IDENTITY_METHODS, suppliesSession, type AuthMethod } from './methods.js';
export { AUTH_CONFIG_KEYS, authConfigOf, inTykOrder, legacyAuthPlan, oasAuthPlan, type AuthConfig, type AuthPlan, type AuthScheme, type SecurityProcessingMode } from './plan.js';
export { compileHmacSettings, HMAC_ALGORITHMS, hmacAlgorithmOf, isHmacAlgorithm, isRsaAlgorithm, type HmacAlgorithm, type HmacSettings, type HmacSettingsResult } from './hmac.js';
export { compileBasicAuth, DEFAULT_BASIC_CACHE_TTL_SECONDS, type BasicAuthCompilation, type BasicAuthSettings } from './basic.js';
export { compileJwt, goDurationSeconds, JWT_ALGORITHMS, keyFitsFamily, KNOWN_JWT_ALGORITHMS, publicKeyOf, strictBase64, verificationKeyOf, type JwtCompileResult, type JwtFamily, type JwtKeySource, type JwtSettings } from './jwt.js';
