/** One component's state in `/hello`, as Tyk reports it. */
export interface HealthItem {
  readonly status: 'pass' | 'fail';
  readonly componentType: 'datastore';
  readonly output?: string;
  readonly time: string;
}

/** The outcome of one hit on a sliding-window rate limit. */
export interface SlidingWindowResult {
  readonly allowed: boolean;
  /** Hits recorded in the window after this one (a refused hit is not recorded). */
  readonly count: number;
  /** Milliseconds until the oldest recorded hit leaves the window (one more hit fits then). */
  readonly resetMs: number;
}

/** The outcome of one increment of a quota counter. */
export interface QuotaResult {
  /** The counter after this increment. */
  readonly count: number;
  /** Seconds until the counter starts again (its remaining lifetime); -1 when it never renews. */
  readonly resetSeconds: number;
}

/** A rate limit to hit: `hitSlidingWindow`'s arguments. */
export interface RateHit {
  readonly key: string;
  readonly limit: number;
  readonly windowMs: number;
}

/** A quota to count: `incrementQuota`'s arguments. */
export interface QuotaHit {
  readonly key: string;
  readonly renewalSeconds: number;
}

/** What `hitLimits` did: the rate limit's outcome (when one was given) and the quota's (when counted). */
export interface LimitsResult {
  readonly rate?: SlidingWindowResult;
  /** Absent when no quota was given, or when the rate limit refused the hit (it is not counted then). */
  readonly quota?: QuotaResult;
}

/**
 * The gateway's storage: sessions, rate-limit and quota counters. Every back end has the same
 * behaviour (test/helpers/store-contract.ts runs the same cases against each), and operations on
 * one key are atomic across every gateway process sharing the store.
 */
export interface Store {
  /** `memory` or `redis` (also Redis Cluster); also the name `/hello` reports it under. */
  readonly kind: 'memory' | 'redis';
  get(key: string): Promise<string | null>;
  /** `ttlSeconds` > 0 expires the key; otherwise it never expires. */
  set(key: string, value: string, ttlSeconds?: number): Promise<void>;
  /** True when the key existed. */
  delete(key: string): Promise<boolean>;
  /**
   * A sliding-log rate limit on `key` (Tyk's `rate-limit-<id>` keys): the hit is allowed, and
   * recorded, when fewer than `limit` hits were recorded in the last `windowMs`. One atomic
   * operation (a Lua script on Redis), so `limit` holds across every process.
   */
  hitSlidingWindow(key: string, limit: number, windowMs: number): Promise<SlidingWindowResult>;
  /**
   * Increments a quota counter (Tyk's `quota-<id>` keys). The first increment starts a renewal
   * period of `renewalSeconds`; once it has passed, the counter starts again at 1. Atomic.
   * `renewalSeconds` <= 0: the counter never renews.
   */
  incrementQuota(key: string, renewalSeconds: number): Promise<QuotaResult>;
  /**
   * `hitSlidingWindow(rate)` then, unless it refused the hit, `incrementQuota(quota)`: Tyk's
   * RateLimitAndQuotaCheck. Same keys and outcome as the two calls; single-node Redis does both in
   * one round trip (one script).
   */
  hitLimits(rate: RateHit | undefined, quota: QuotaHit | undefined): Promise<LimitsResult>;
  /** Keys starting with `prefix` (SCAN on Redis, across every master of a cluster), at most `limit`. */
  listKeys(prefix: string, limit?: number): Promise<string[]>;
  health(): Promise<HealthItem>;
  close(): Promise<void>;
}

export const now = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

/** `hitLimits` as its two operations one after the other (the memory store, Redis Cluster). */
export async function hitLimitsInTurn(store: Store, rate: RateHit | undefined, quota: QuotaHit | undefined): Promise<LimitsResult> {
  const hit = rate === undefined ? undefined : await store.hitSlidingWindow(rate.key, rate.limit, rate.windowMs);
  if (quota === undefined || (hit !== undefined && !hit.allowed)) return hit === undefined ? {} : { rate: hit };
  const counted = await store.incrementQuota(quota.key, quota.renewalSeconds);
  return hit === undefined ? { quota: counted } : { rate: hit, quota: counted };
}
