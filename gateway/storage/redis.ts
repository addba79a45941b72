import { Redis } from 'ioredis';
import type { StorageConfig } from '../config/index.js';
import type { Logger } from '../logging/index.js';
import { defineScripts, errorMessage, healthFail, healthPass, OutageLog, reconnectDelay, RedisKeyStore, scanInto, type ScriptCommands } from './redis-common.js';
import type { HealthItem, LimitsResult, QuotaHit, RateHit } from './types.js';

type RedisConfig = Extract<StorageConfig, { kind: 'redis' }>;

/**
 * Redis through ioredis. Commands fail at once while Redis is unreachable (no offline queue), so a
 * Redis outage turns into clear errors instead of requests that hang; ioredis keeps reconnecting
 * in the background with a capped backoff, and the gateway never needs a restart.
 */
export class RedisStore extends RedisKeyStore {
  protected readonly client: Redis & ScriptCommands;
  private readonly outage: OutageLog;
  private readonly where: string;

  constructor(config: RedisConfig, logger: Logger) {
    super();
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
      retryStrategy: reconnectDelay,
    }) as Redis & ScriptCommands;
    defineScripts(this.client);
    this.where = `${config.host}:${config.port}`;
    this.outage = new OutageLog(logger, 'Redis');
    this.client.on('ready', () => this.outage.connected(this.where));
    this.client.on('error', (err: Error) => this.outage.failed(this.where, err));
  }

  /** Rate limit and quota in one round trip when both apply (every key is on this one node). */
  override hitLimits(rate: RateHit | undefined, quota: QuotaHit | undefined): Promise<LimitsResult> {
    return rate !== undefined && quota !== undefined ? this.hitLimitsInOneScript(rate, quota) : super.hitLimits(rate, quota);
  }

  async listKeys(prefix: string, limit = Infinity): Promise<string[]> {
    const out = new Set<string>();
    await scanInto(this.client, prefix, limit, out);
    return [...out];
  }

  async health(): Promise<HealthItem> {
    if (this.client.status !== 'ready') {
      const reason = this.outage.reason(this.where);
      return healthFail(`Redis connection is ${this.client.status}${reason === undefined ? '' : `: ${reason}`}`);
    }
    try {
      await this.client.ping();
      return healthPass();
    } catch (err) {
      return healthFail(errorMessage(err));
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
