import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Most keys one API remembers a successful check for; the oldest is forgotten first. */
export const PASSWORD_CACHE_MAX_ENTRIES = 10_000;

interface Entry {
  /** What was checked: the stored hash and the presented password, as a keyed digest. */
  readonly tag: Buffer;
  readonly expiresAt: number;
}

interface Flight {
  readonly tag: Buffer;
  readonly result: Promise<boolean>;
}

/**
 * Tyk's bcrypt result cache (`basic_auth.cache_ttl`, default 60 s): a bcrypt check costs tens of
 * milliseconds of a thread, so a success is remembered for a while. Only successes are kept, one
 * per key, and an entry answers only for the same stored hash and the same password: both are
 * folded into an HMAC under a key made at start-up (so what sits in memory is no offline oracle
 * for the password), compared in constant time. A changed password (a new hash) or any other
 * password misses and runs bcrypt again. Concurrent checks of the same key, hash and password
 * share one bcrypt run (Tyk's singleflight). Entries expire after the TTL; at most `maxEntries`
 * are kept.
 */
export class PasswordCache {
  private readonly entries = new Map<string, Entry>();
  private readonly flights = new Map<string, Flight>();
  private readonly secret = randomBytes(32);

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = PASSWORD_CACHE_MAX_ENTRIES,
    private readonly now: () => number = Date.now,
  ) {}

  /** Entries held now, for tests and metrics. */
  get size(): number {
    return this.entries.size;
  }

  /** Whether `password` matches `hash` of key `keyId`: a remembered success, or `verify()`. */
  async check(keyId: string, hash: string, password: string, verify: () => Promise<boolean>): Promise<boolean> {
    const tag = this.tagOf(hash, password);
    const entry = this.entries.get(keyId);
    if (entry !== undefined) {
      if (entry.expiresAt <= this.now()) this.entries.delete(keyId);
      else if (timingSafeEqual(entry.tag, tag)) return true;
    }
    const flight = this.flights.get(keyId);
    if (flight !== undefined && timingSafeEqual(flight.tag, tag)) return flight.result;
    const result = verify();
    if (flight === undefined) this.flights.set(keyId, { tag, result });
    try {
      const ok = await result;
      if (ok) this.remember(keyId, tag);
      return ok;
    } finally {
      if (this.flights.get(keyId)?.result === result) this.flights.delete(keyId);
    }
  }

  private remember(keyId: string, tag: Buffer): void {
    this.entries.delete(keyId);
    while (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
    }
    this.entries.set(keyId, { tag, expiresAt: this.now() + this.ttlMs });
  }

  private tagOf(hash: string, password: string): Buffer {
    // The hash's length first, so no (hash, password) pair can stand for another.
    return createHmac('sha256', this.secret).update(`${Buffer.byteLength(hash)}:${hash}`).update(password).digest();
  }
}
