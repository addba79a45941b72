import type { StorageConfig } from '../config/index.js';
import type { Logger } from '../logging/index.js';
import { MemoryStore } from './memory.js';
import { RedisClusterStore } from './redis-cluster.js';
import { RedisStore } from './redis.js';
import type { Store } from './types.js';

export { MemoryStore } from './memory.js';
export { RedisClusterStore } from './redis-cluster.js';
export { RedisStore } from './redis.js';
export type { HealthItem, LimitsResult, QuotaHit, QuotaResult, RateHit, SlidingWindowResult, Store } from './types.js';

export function createStore(config: StorageConfig, logger: Logger): Store {
  switch (config.kind) {
    case 'memory':
      return new MemoryStore();
    case 'redis':
      return new RedisStore(config, logger.child({ component: 'storage' }));
    case 'redis-cluster':
      return new RedisClusterStore(config, logger.child({ component: 'storage' }));
  }
}
