import { Redis } from 'ioredis';
import type { StorageConfig } from '../config/index.js';
import type { Logger } from '../logging/index.js';
import { now, type HealthItem, type Store } from './types.js';

type RedisConfig = Extract<StorageConfig, { kind: 'redis' }>;

const MAX_RECONNECT_DELAY_MS = 2000;

/**
 * Redis through ioredis. Commands fail at once while Redis is unreachable (no offline queue), so a
 * Redis outage turns into clear errors instead of requests that hang; ioredis keeps reconnecting
 * in the background with a capped backoff, and the gateway never needs a restart.
 */
export class RedisStore implements Store {
  readonly kind = 'redis' as const;
  private readonly client: Redis;
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
    });
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
