/**
 * Where `tyk.store_data` and `tyk.get_data` keep values: under `coprocess-data:<key>`, as Tyk
 * does, in the gateway's own storage. A bridge the gateway launched reaches it over the link
 * (link-client.ts); a bridge run on its own (`hookgate python-bridge`) opens a store itself.
 */
import type { Store } from '../../gateway/storage/index.js';

/** Tyk's key prefix for plugin data. */
export const PLUGIN_DATA_PREFIX = 'coprocess-data:';

/** Tyk gives each store_data/get_data call 1 s. */
export const PLUGIN_DATA_TIMEOUT_MS = 1000;

export interface PluginData {
  /** null when there is no such key. */
  get(key: string): Promise<string | null>;
  /** `ttlSeconds` <= 0: no expiry. */
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
}

export function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took more than ${ms} ms`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** Plugin data in a Store of this process (the gateway's, or the standalone bridge's own). */
export class StorePluginData implements PluginData {
  constructor(private readonly store: Store) {}

  get(key: string): Promise<string | null> {
    return withTimeout(this.store.get(PLUGIN_DATA_PREFIX + key), PLUGIN_DATA_TIMEOUT_MS, 'get_data');
  }

  set(key: string, value: string, ttlSeconds: number): Promise<void> {
    return withTimeout(this.store.set(PLUGIN_DATA_PREFIX + key, value, ttlSeconds > 0 ? ttlSeconds : undefined), PLUGIN_DATA_TIMEOUT_MS, 'store_data');
  }
}
