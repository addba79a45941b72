import { randomBytes } from 'node:crypto';
import type { Logger } from '../logging/index.js';
import { LIMITS_SCRIPT, QUOTA_SCRIPT, scanPattern, SLIDING_WINDOW_SCRIPT } from './scripts.js';
import { hitLimitsInTurn, now, type HealthItem, type LimitsResult, type QuotaHit, type QuotaResult, type RateHit, type SlidingWindowResult, type Store } from './types.js';

/** ioredis commands defined from the Lua scripts. */
export interface ScriptCommands {
  hgSlidingWindow(key: string, windowMs: number, limit: number, member: string): Promise<[number, number, number]>;
  hgQuota(key: string, renewalMs: number): Promise<[number, number]>;
  hgLimits(rateKey: string, quotaKey: string, windowMs: number, limit: number, member: string, renewalMs: number): Promise<[number, number, number, number, number]>;
}

/** What the key operations need from a client; an ioredis `Redis` and a `Cluster` both have it. */
export interface KeyCommands extends ScriptCommands {
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<unknown>;
  set(key: string, value: string, expiry: 'EX', seconds: number): Promise<unknown>;
  del(key: string): Promise<number>;
}

/** Defines the scripts as commands on a client (EVALSHA with a fallback to EVAL). */
export function defineScripts(client: { defineCommand(name: string, definition: { numberOfKeys: number; lua: string }): void }): void {
  client.defineCommand('hgSlidingWindow', { numberOfKeys: 1, lua: SLIDING_WINDOW_SCRIPT });
  client.defineCommand('hgQuota', { numberOfKeys: 1, lua: QUOTA_SCRIPT });
  client.defineCommand('hgLimits', { numberOfKeys: 2, lua: LIMITS_SCRIPT });
}

const renewalMs = (renewalSeconds: number): number => (renewalSeconds > 0 ? Math.round(renewalSeconds * 1000) : 0);
const quotaResult = (count: number, ttlMs: number): QuotaResult => ({ count, resetSeconds: ttlMs < 0 ? -1 : Math.ceil(ttlMs / 1000) });

/** A member unique to one hit: process prefix plus a counter. */
const memberPrefix = randomBytes(6).toString('hex');
let memberCounter = 0;
export const nextMember = (): string => `${memberPrefix}:${(memberCounter++).toString(36)}`;

const MAX_RECONNECT_DELAY_MS = 2000;

/** Reconnect backoff: 100 ms doubling to a cap of 2 s, for ever (the gateway never needs a restart). */
export const reconnectDelay = (attempt: number): number => Math.min(50 * 2 ** attempt, MAX_RECONNECT_DELAY_MS);

export const healthPass = (): HealthItem => ({ status: 'pass', componentType: 'datastore', time: now() });
export const healthFail = (output: string): HealthItem => ({ status: 'fail', componentType: 'datastore', output, time: now() });
export const errorMessage = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/** A node that SCAN can walk: a single Redis, or one master of a cluster. */
interface Scannable {
  scan(cursor: string, match: 'MATCH', pattern: string, count: 'COUNT', n: number): Promise<[string, string[]]>;
}

/** Adds the keys of `node` starting with `prefix` to `out` (no duplicates) until it holds `limit`. */
export async function scanInto(node: Scannable, prefix: string, limit: number, out: Set<string>): Promise<void> {
  let cursor = '0';
  do {
    const [next, keys] = await node.scan(cursor, 'MATCH', scanPattern(prefix), 'COUNT', 1000);
    for (const key of keys) if (out.size < limit) out.add(key);
    cursor = next;
  } while (cursor !== '0' && out.size < limit);
}

/**
 * The current error of each connection (a single node has one, a cluster one per node), so an
 * outage is logged once when it starts and once when it ends, not at every reconnect attempt.
 */
export class OutageLog {
  private readonly errors = new Map<string, string>();

  constructor(
    private readonly logger: Logger,
    private readonly what: string,
  ) {}

  failed(where: string, err: Error): void {
    if (!this.errors.has(where)) this.logger.error({ redis: where, err: err.message }, `${this.what} unavailable; reconnecting`);
    this.errors.set(where, err.message);
  }

  connected(where: string): void {
    this.errors.delete(where);
    this.logger.info({ redis: where }, `${this.what} connected`);
  }

  /** Ends an outage of `where` without a log line (for lookups, which have no "connected"). */
  forget(where: string): void {
    this.errors.delete(where);
  }

  /** The last error seen on `where` during the current outage, if any. */
  reason(where: string): string | undefined {
    return this.errors.get(where);
  }
}

/**
 * The Store operations that are one command on one key, the same on a single node and on a
 * cluster (every script touches one key, so each runs on the master owning that key's slot).
 */
export abstract class RedisKeyStore implements Store {
  readonly kind = 'redis' as const;
  protected abstract readonly client: KeyCommands;

  async get(key: string): Promise<string | null> {
    return this.client.get(key);
  }

  async set(key: string, value: string, ttlSeconds?: number): Promise<void> {
    if (ttlSeconds !== undefined && ttlSeconds > 0) await this.client.set(key, value, 'EX', Math.ceil(ttlSeconds));
    else await this.client.set(key, value);
  }

  async delete(key: string): Promise<boolean> {
    return (await this.client.del(key)) > 0;
  }

  async hitSlidingWindow(key: string, limit: number, windowMs: number): Promise<SlidingWindowResult> {
    const [allowed, count, reset] = await this.client.hgSlidingWindow(key, windowMs, limit, nextMember());
    return { allowed: allowed === 1, count, resetMs: reset };
  }

  async incrementQuota(key: string, renewalSeconds: number): Promise<QuotaResult> {
    const [count, ttlMs] = await this.client.hgQuota(key, renewalMs(renewalSeconds));
    return quotaResult(count, ttlMs);
  }

  /** Both in turn: on a cluster the two keys may live on two masters (RedisStore overrides it). */
  hitLimits(rate: RateHit | undefined, quota: QuotaHit | undefined): Promise<LimitsResult> {
    return hitLimitsInTurn(this, rate, quota);
  }

  /** Rate limit and quota in one script: both keys must be on this node (single-node Redis). */
  protected async hitLimitsInOneScript(rate: RateHit, quota: QuotaHit): Promise<LimitsResult> {
    const [allowed, count, reset, quotaCount, quotaTtlMs] = await this.client.hgLimits(rate.key, quota.key, rate.windowMs, rate.limit, nextMember(), renewalMs(quota.renewalSeconds));
    const hit = { allowed: allowed === 1, count, resetMs: reset };
    return allowed === 1 ? { rate: hit, quota: quotaResult(quotaCount, quotaTtlMs) } : { rate: hit };
  }

  abstract listKeys(prefix: string, limit?: number): Promise<string[]>;
  abstract health(): Promise<HealthItem>;
  abstract close(): Promise<void>;
}
