import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import type { StorageConfig } from '../config/index.js';
import type { Logger } from '../logging/index.js';
import { QUOTA_SCRIPT, scanPattern, SLIDING_WINDOW_SCRIPT } from './scripts.js';
import { now, type HealthItem, type QuotaResult, type SlidingWindowResult, type Store } from './types.js';

/** ioredis commands defined from the Lua scripts. */
interface ScriptCommands {
  hgSlidingWindow(key: string, windowMs: number, limit: number, member: string): Promise<[number, number, number]>;
  hgQuota(key: string, renewalMs: number): Promise<[number, number]>;
}

/** Defines the scripts as commands on a client (EVALSHA with a fallback to EVAL). */
export function defineScripts(client: Redis): void {
  client.defineCommand('hgSlidingWindow', { numberOfKeys: 1, lua: SLIDING_WINDOW_SCRIPT });
  client.defineCommand('hgQuota', { numberOfKeys: 1, lua: QUOTA_SCRIPT });
}

/** A member unique to one hit: process prefix plus a counter. */
const memberPrefix = randomBytes(6).toString('hex');
let memberCounter = 0;
export const nextMember = (): string => `${memberPrefix}:${(memberCounter++).toString(36)}`;

type RedisConfig = Extract<StorageConfig, { kind: 'redis' }>;

const MAX_RECONNECT_DELAY_MS = 2000;

/**
 * Redis through ioredis. Commands fail at once while Redis is unreachable (no offline queue), so a
 * Redis outage turns into clear errors instead of requests that hang; ioredis keeps reconnecting
 * in the background with a capped backoff, and the gateway never needs a restart.
 */
export class RedisStore implements Store {
  readonly kind = 'redis' as const;
  private readonly client: Redis & ScriptCommands;
  private lastError: string | undefined;

  constructor(config: RedisConfig, private readonly logger: Logger) {
    this.client = new Redis({
      host: config.host,
      port: config.port,
      db: config.database,
      ...(config.username === '' ? {} : { username: config.username }),
      ...(config.password === '' ? {} : { password: config.password }),
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: config.commandTimeoutMs,
      connectTimeout: Math.min(config.commandTimeoutMs, 10_000),
      retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, MAX_RECONNECT_DELAY_MS),
    }) as Redis & ScriptCommands;
    defineScripts(this.client);
    const where = `${config.host}:${config.port}`;
    this.client.on('ready', () => {
      this.logger.info({ redis: where }, 'Redis connected');
      this.lastError = undefined;
    });
    this.client.on('error', (err: Error) => {
      // Log the first error of an outage, not every reconnect attempt.
      if (this.lastError === undefined) this.logger.error({ redis: where, err: err.message }, 'Redis unavailable; reconnecting');
      this.lastError = err.message;
    });
  }

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
    const [count, ttlMs] = await this.client.hgQuota(key, renewalSeconds > 0 ? Math.round(renewalSeconds * 1000) : 0);
    return { count, resetSeconds: ttlMs < 0 ? -1 : Math.ceil(ttlMs / 1000) };
  }

  async listKeys(prefix: string, limit = Infinity): Promise<string[]> {
    const out: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await this.client.scan(cursor, 'MATCH', scanPattern(prefix), 'COUNT', 1000);
      for (const key of keys) if (out.length < limit) out.push(key);
      cursor = next;
    } while (cursor !== '0' && out.length < limit);
    return out;
  }

  async health(): Promise<HealthItem> {
    const time = now();
    if (this.client.status !== 'ready') {
      const reason = this.lastError === undefined ? '' : `: ${this.lastError}`;
      return { status: 'fail', componentType: 'datastore', output: `Redis connection is ${this.client.status}${reason}`, time };
    }
    try {
      await this.client.ping();
      return { status: 'pass', componentType: 'datastore', time };
    } catch (err) {
      return { status: 'fail', componentType: 'datastore', output: err instanceof Error ? err.message : String(err), time };
    }
  }

  async close(): Promise<void> {
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }
}
