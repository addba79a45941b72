import type { StorageConfig } from '../config/index.js';
import type { Logger } from '../logging/index.js';
import { MemoryStore } from './memory.js';
import { RedisStore } from './redis.js';
import type { Store } from './types.js';

export { MemoryStore } from './memory.js';
export { RedisStore } from './redis.js';
export type { HealthItem, QuotaResult, SlidingWindowResult, Store } from './types.js';

export function createStore(config: StorageConfig, logger: Logger): Store {
  return config.kind === 'memory' ? new MemoryStore() : new RedisStore(config, logger.child({ component: 'storage' }));
}
