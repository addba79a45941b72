import { createHash, randomUUID } from 'node:crypto';
import { hex32, hex64, murmur3x64_128, murmur3x86_32 } from './murmur.js';

/** Tyk's `hash_key_function` values; "" is the legacy (murmur32) behaviour. */
export type HashAlgorithm = '' | 'murmur32' | 'murmur64' | 'murmur128' | 'sha256';

const KNOWN = new Set(['murmur32', 'murmur64', 'murmur128', 'sha256']);

/** Lowercase hex digest of `text` with a Tyk hash algorithm ("" means murmur32). */
export function hashWith(algorithm: string, text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  switch (algorithm) {
    case 'murmur64':
      return hex64(murmur3x64_128(bytes)[0]);
    case 'murmur128': {
      const [h1, h2] = murmur3x64_128(bytes);
      return hex64(h1) + hex64(h2);
    }
    case 'sha256':
      return createHash('sha256').update(bytes).digest('hex');
    default:
      return hex32(murmur3x86_32(bytes));
  }
}

/** The JSON inside a generated token (base64 of `{"org":...,"id":...,"h":...}`), if it is one. */
function tokenJson(token: string): Record<string, unknown> | undefined {
  if (!token.startsWith('ey')) return undefined;
  try {
    const decoded: unknown = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
    return decoded !== null && typeof decoded === 'object' ? (decoded as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The algorithm a token names (generated tokens carry it in "h"); "" for everything else. */
export function tokenHashAlgorithm(token: string): string {
  const h = tokenJson(token)?.['h'];
  return typeof h === 'string' ? h : '';
}

/**
 * Tyk's HashStr: the hash stored in place of a key when `hash_keys` is on. The algorithm comes
 * from the token itself, so `hash_key_function` only affects generated tokens; plugin-chosen raw
 * tokens hash with murmur32.
 */
export function hashKey(token: string): string {
  return hashWith(tokenHashAlgorithm(token), token);
}

/**
 * Tyk's GenerateToken: with a hash function, base64 of the exact JSON
 * `{"org":"<org>","id":"<keyID>","h":"<alg>"}`; without, the legacy `orgID + keyID`. A leading
 * org ID on keyID is trimmed first (Tyk's generateToken does).
 */
export function generateToken(orgId: string, keyId: string, algorithm: string): string {
  const id = orgId !== '' && keyId.startsWith(orgId) ? keyId.slice(orgId.length) : keyId;
  if (algorithm !== '') {
    const h = KNOWN.has(algorithm) ? algorithm : 'murmur64';
    return Buffer.from(`{"org":"${orgId}","id":"${id}","h":"${h}"}`).toString('base64');
  }
  return orgId + id;
}

/** Tyk's TokenOrg: the org a token belongs to, from its JSON or its 24-hex-digit legacy prefix. */
export function tokenOrg(token: string): string {
  const org = tokenJson(token)?.['org'];
  if (typeof org === 'string') return org;
  if (token.length > 24 && /^[0-9a-fA-F]{24}$/.test(token.slice(0, 24))) return token.slice(0, 24);
  return '';
}

/** A new key ID: 32 hex digits, like Tyk's uuid.NewHex. */
export const newKeyId = (): string => randomUUID().replace(/-/g, '');

/** A new HMAC secret for a key, as Tyk's GenerateHMACSecret: base64 of a new key ID's hex text. */
export const newHmacSecret = (): string => Buffer.from(newKeyId()).toString('base64');
