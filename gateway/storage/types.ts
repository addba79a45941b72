/** One component's state in `/hello`, as Tyk reports it. */
export interface HealthItem {
  readonly status: 'pass' | 'fail';
  readonly componentType: 'datastore';
  readonly output?: string;
  readonly time: string;
}

/**
 * The gateway's key-value storage. Sessions, rate-limit counters and quotas build on it in later
 * layers; every back end has the same behaviour, so tests run the same cases against each.
 */
export interface Store {
  /** `memory` or `redis`; also the name `/hello` reports it under. */
  readonly kind: 'memory' | 'redis';
  get(key: string): Promise<string | null>;
  /** `ttlSeconds` > 0 expires the key; otherwise it never expires. */
  set(key: string, value: string, ttlSeconds?: number): Promise<void>;
  /** True when the key existed. */
  delete(key: string): Promise<boolean>;
  health(): Promise<HealthItem>;
  close(): Promise<void>;
}

export const now = (): string => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
