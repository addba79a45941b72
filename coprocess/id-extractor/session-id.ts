import { createHash } from 'node:crypto';

const HASH_ALGORITHMS = new Set(['murmur32', 'murmur64', 'murmur128', 'sha256']);
/** What Tyk's GenerateToken writes for an unknown `hash_key_function` (it logs a warning). */
const DEFAULT_HASH_ALGORITHM = 'murmur64';

/**
 * The session ID Tyk's ID extractor derives from an extracted value:
 * `GenerateSessionID(v) = generateToken(api.org_id, hex(md5(v)))`, with the gateway's
 * `hash_key_function`:
 * - set: base64 (standard, padded) of exactly `{"org":"<org>","id":"<keyID>","h":"<alg>"}`,
 *   written with Sprintf in Go, so nothing in it is JSON-escaped (neither is it here);
 * - "": the legacy form, org ID then key ID.
 * generateToken first removes a leading org ID from the key ID (strings.TrimPrefix). When that
 * would leave nothing (the org ID equals the md5 hex), Tyk's GenerateToken makes a random key,
 * so the cache could never hit; here the key ID is then kept whole, which gives a stable ID.
 */
export function sessionIdFor(value: string, orgId: string, hashKeyFunction: string): string {
  const md5 = createHash('md5').update(value, 'utf8').digest('hex');
  const keyId = orgId !== '' && md5.startsWith(orgId) && md5.length > orgId.length ? md5.slice(orgId.length) : md5;
  if (hashKeyFunction === '') return orgId + keyId;
  const algorithm = HASH_ALGORITHMS.has(hashKeyFunction) ? hashKeyFunction : DEFAULT_HASH_ALGORITHM;
  return Buffer.from(`{"org":"${orgId}","id":"${keyId}","h":"${algorithm}"}`, 'utf8').toString('base64');
}
