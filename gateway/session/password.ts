import bcrypt from 'bcrypt';
import { randomBytes } from 'node:crypto';
import { constantTimeEqual } from '../crypto/index.js';
import { hashWith } from './token.js';

/**
 * Basic-auth passwords as Tyk stores them in a session's `basic_auth_data` (tyk-config.md 1.4):
 * `password` holds a bcrypt hash (`hash_type` "bcrypt", Tyk's default), a hex digest ("sha256",
 * "murmur32", "murmur64", "murmur128", Tyk's HashStr), or the password itself (`hash_type` "").
 *
 * bcrypt is the `bcrypt` package: its work runs on libuv's thread pool, so a check never holds the
 * event loop (about 80 ms of a pool thread at cost 10 on the development machine, while the loop
 * stays responsive; pure-JavaScript bcryptjs took 117 ms and delayed the loop by up to 100 ms per
 * check, 400 ms with four at once). It ships prebuilt binaries inside its npm tarball.
 */

export type PasswordHashType = 'bcrypt' | 'sha256' | 'murmur32' | 'murmur64' | 'murmur128';

/** Tyk hashes with bcrypt cost 10 (`bcrypt.GenerateFromPassword(..., 10)`). */
export const BCRYPT_COST = 10;
/** bcrypt reads at most 72 bytes; Go's bcrypt refuses longer passwords, node's would cut them. */
export const BCRYPT_MAX_PASSWORD_BYTES = 72;

const DIGESTS = new Set(['sha256', 'murmur32', 'murmur64', 'murmur128']);

/** The form a password is stored in, for /tyk/keys (Tyk's setBasicAuthSessionPassword). */
export async function hashPassword(type: PasswordHashType, password: string): Promise<string> {
  if (type !== 'bcrypt') return hashWith(type, password);
  if (Buffer.byteLength(password, 'utf8') > BCRYPT_MAX_PASSWORD_BYTES) {
    throw new RangeError(`the password is longer than ${BCRYPT_MAX_PASSWORD_BYTES} bytes, which bcrypt cannot hash`);
  }
  // Minor version "a", as Go's bcrypt writes it, so a hash reads the same to Tyk and to Hookgate.
  return bcrypt.hash(password, await bcrypt.genSalt(BCRYPT_COST, 'a'));
}

/** How a stored session's password is checked, from its `hash_type` (Tyk's checkPassword). */
export function passwordCheckOf(hashType: string | undefined): 'plain' | 'digest' | 'bcrypt' {
  if (hashType === undefined || hashType === '') return 'plain';
  return DIGESTS.has(hashType) ? 'digest' : 'bcrypt';
}

/** A password stored in plain text (`hash_type` "") or as a hex digest, checked in constant time. */
export function digestMatches(hashType: string, stored: string, presented: string): boolean {
  return constantTimeEqual(stored, hashType === '' ? presented : hashWith(hashType, presented));
}

/**
 * A password against a bcrypt hash, off the event loop. Go's bcrypt reads every `$2<letter>$`
 * prefix (and `$2$`) as the same algorithm; node's reads `$2a$` and `$2b$`, so the prefix is
 * normalised. A hash that does not parse, or a password bcrypt would cut short, does not match.
 */
export async function bcryptMatches(stored: string, presented: string): Promise<boolean> {
  if (Buffer.byteLength(presented, 'utf8') > BCRYPT_MAX_PASSWORD_BYTES) return false;
  const normalised = stored.replace(/^\$2[a-z]?\$/, '$2b$');
  try {
    return await bcrypt.compare(presented, normalised);
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;

/**
 * A bcrypt check whose answer is thrown away, for a user that does not exist: an unknown user
 * then costs what a wrong password costs (Tyk's default bcrypt, cost 10), so response times do
 * not tell which usernames exist. The hash is of a random password, made once per process.
 */
export async function dummyBcryptCheck(presented: string): Promise<void> {
  dummyHash ??= hashPassword('bcrypt', randomBytes(16).toString('hex'));
  await bcryptMatches(await dummyHash, presented);
}
