export { sessionLifetime, type LifetimeSettings } from './lifetime.js';
export { sessionFromProto, sessionToProto, type AccessDefinitionJson, type SessionJson } from './model.js';
export { hex32, hex64, murmur3x64_128, murmur3x86_32 } from './murmur.js';
export { parseSession, SESSION_PREFIX, SessionStore, type FoundSession, type SessionStoreSettings } from './session-store.js';
export { generateToken, hashKey, hashWith, newHmacSecret, newKeyId, tokenHashAlgorithm, tokenOrg, type HashAlgorithm } from './token.js';
export { BCRYPT_COST, BCRYPT_MAX_PASSWORD_BYTES, bcryptMatches, digestMatches, dummyBcryptCheck, hashPassword, passwordCheckOf, type PasswordHashType } from './password.js';
