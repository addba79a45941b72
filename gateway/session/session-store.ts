import type { Store } from '../storage/index.js';
import type { SessionJson } from './model.js';
import { generateToken, hashKey, tokenOrg } from './token.js';

export const SESSION_PREFIX = 'apikey-';

export interface SessionStoreSettings {
  /** `hash_keys`: store a hash of each key, never the key itself. */
  readonly hashKeys: boolean;
  /** `hash_key_function`: the algorithm of generated tokens ("" = legacy org+id). */
  readonly hashKeyFunction: string;
  /** `hash_key_function_fallback`: older algorithms still accepted when looking keys up. */
  readonly hashKeyFunctionFallback: readonly string[];
  /** `min_token_length`: shorter keys are never found (Tyk's floor is 3). */
  readonly minTokenLength: number;
}

export interface FoundSession {
  /** The key the session is stored under (which may be a generated form of what the client sent). */
  readonly keyId: string;
  readonly session: SessionJson;
}

/** Sessions in the gateway's storage, laid out as Tyk lays them out (protocol.md 2.8). */
export class SessionStore {
  constructor(
    readonly store: Store,
    readonly settings: SessionStoreSettings,
  ) {}

  /** `apikey-<key>`, or `apikey-<hash>` with hash_keys. */
  storageKey(keyId: string): string {
    return SESSION_PREFIX + (this.settings.hashKeys ? hashKey(keyId) : keyId);
  }

  /**
   * Tyk's SessionDetail lookup: a key that does not carry this org is tried as generated from
   * it first (legacy `org+key` or the JSON form with the hash function), then as given, then in
   * the fallback algorithms' generated forms; the first stored session wins. A session that
   * does not parse is treated as not found (and logged by the caller).
   */
  async find(orgId: string, key: string): Promise<FoundSession | undefined> {
    if (key.length < Math.max(this.settings.minTokenLength, 1)) return undefined;
    const candidates = [key];
    if (tokenOrg(key) !== orgId) {
      candidates.unshift(generateToken(orgId, key, this.settings.hashKeyFunction));
      for (const fallback of this.settings.hashKeyFunctionFallback) candidates.push(generateToken(orgId, key, fallback));
    }
    const seen = new Set<string>();
    for (const candidate of candidates) {
      if (seen.has(candidate)) continue;
      seen.add(candidate);
      const raw = await this.store.get(this.storageKey(candidate));
      if (raw === null) continue;
      const session = parseSession(raw);
      if (session !== undefined) return { keyId: candidate, session };
    }
    return undefined;
  }

  /** Writes a session. `ttlSeconds` > 0 expires it; 0 and -1 keep it (see sessionLifetime). */
  async save(keyId: string, session: SessionJson, ttlSeconds: number): Promise<void> {
    await this.store.set(this.storageKey(keyId), JSON.stringify(session), ttlSeconds > 0 ? ttlSeconds : undefined);
  }

  async remove(keyId: string): Promise<boolean> {
    return this.store.delete(this.storageKey(keyId));
  }

  /** Every stored key (hashes when hash_keys is on), without the prefix. */
  async list(limit?: number): Promise<string[]> {
    const keys = await this.store.listKeys(SESSION_PREFIX, limit);
    return keys.map((k) => k.slice(SESSION_PREFIX.length));
  }
}

/** A stored session, or undefined when the value is not a JSON object. */
export function parseSession(raw: string): SessionJson | undefined {
  try {
    const value: unknown = JSON.parse(raw);
    return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as SessionJson) : undefined;
  } catch {
    return undefined;
  }
}
