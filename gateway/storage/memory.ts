import { hitLimitsInTurn, now, type HealthItem, type LimitsResult, type QuotaHit, type QuotaResult, type RateHit, type SlidingWindowResult, type Store } from './types.js';

interface HitLog {
  hits: number[];
  /** Index of the oldest hit still in the window; those before it have expired. */
  head: number;
}

interface Entry {
  value: string;
  /** ms since epoch; 0 = never. */
  expiresAt: number;
}

/** The default store: one process, nothing to install. Expired keys are dropped on read and by a sweep. */
export class MemoryStore implements Store {
  readonly kind = 'memory' as const;
  private readonly entries = new Map<string, Entry>();
  /** Sliding-window logs: hit times (ms), oldest first, from `head` on (expired hits are skipped, not spliced out). */
  private readonly windows = new Map<string, HitLog>();
  /** Quota counters: count and when the renewal period ends (ms; 0 = never). */
  private readonly quotas = new Map<string, { count: number; renewsAt: number }>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(sweepIntervalMs = 30_000) {
    this.sweeper = setInterval(() => this.sweep(), sweepIntervalMs);
    this.sweeper.unref();
  }

  private live(key: string): Entry | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt !== 0 && entry.expiresAt <= Date.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry;
  }

  private sweep(): void {
    const t = Date.now();
    for (const [key, entry] of this.entries) if (entry.expiresAt !== 0 && entry.expiresAt <= t) this.entries.delete(key);
    for (const [key, quota] of this.quotas) if (quota.renewsAt !== 0 && quota.renewsAt <= t) this.quotas.delete(key);
    // A window whose newest hit is older than any plausible window is idle; the next hit prunes the rest.
    for (const [key, log] of this.windows) if (log.head === log.hits.length || (log.hits[log.hits.length - 1] as number) < t - 24 * 3600_000) this.windows.delete(key);
  }

  hitSlidingWindow(key: string, limit: number, windowMs: number): Promise<SlidingWindowResult> {
    const t = Date.now();
    let log = this.windows.get(key);
    if (log === undefined) {
      log = { hits: [], head: 0 };
      this.windows.set(key, log);
    }
    // Moving `head` keeps each hit O(1) amortised: splicing the front out cost a copy of the whole
    // log per request (~6 us at 10k hits in the window, and more with a larger limit).
    while (log.head < log.hits.length && (log.hits[log.head] as number) <= t - windowMs) log.head++;
    if (log.head > 1024 && log.head * 2 > log.hits.length) {
      log.hits = log.hits.slice(log.head);
      log.head = 0;
    }
    const allowed = log.hits.length - log.head < limit;
    if (allowed) log.hits.push(t);
    const oldest = log.hits[log.head];
    return Promise.resolve({ allowed, count: log.hits.length - log.head, resetMs: oldest === undefined ? 0 : oldest + windowMs - t });
  }

  incrementQuota(key: string, renewalSeconds: number): Promise<QuotaResult> {
    const t = Date.now();
    let quota = this.quotas.get(key);
    if (quota === undefined || (quota.renewsAt !== 0 && quota.renewsAt <= t)) {
      quota = { count: 0, renewsAt: renewalSeconds > 0 ? t + renewalSeconds * 1000 : 0 };
      this.quotas.set(key, quota);
    }
    quota.count++;
    return Promise.resolve({ count: quota.count, resetSeconds: quota.renewsAt === 0 ? -1 : Math.ceil((quota.renewsAt - t) / 1000) });
  }

  hitLimits(rate: RateHit | undefined, quota: QuotaHit | undefined): Promise<LimitsResult> {
    return hitLimitsInTurn(this, rate, quota);
  }

  listKeys(prefix: string, limit = Infinity): Promise<string[]> {
    const out: string[] = [];
    for (const key of this.entries.keys()) {
      if (out.length >= limit) break;
      if (key.startsWith(prefix) && this.live(key) !== undefined) out.push(key);
    }
    return Promise.resolve(out);
  }

  get(key: string): Promise<string | null> {
    return Promise.resolve(this.live(key)?.value ?? null);
  }

  set(key: string, value: string, ttlSeconds?: number): Promise<void> {
    const expiresAt = ttlSeconds !== undefined && ttlSeconds > 0 ? Date.now() + ttlSeconds * 1000 : 0;
    this.entries.set(key, { value, expiresAt });
    return Promise.resolve();
  }

  /** Deletes a value, a rate-limit log or a quota counter: whichever the key names. */
  delete(key: string): Promise<boolean> {
    const existed = this.live(key) !== undefined || this.windows.has(key) || this.quotas.has(key);
    this.entries.delete(key);
    this.windows.delete(key);
    this.quotas.delete(key);
    return Promise.resolve(existed);
  }

  health(): Promise<HealthItem> {
    return Promise.resolve({ status: 'pass', componentType: 'datastore', time: now() });
  }

  close(): Promise<void> {
    clearInterval(this.sweeper);
    this.entries.clear();
    this.windows.clear();
    this.quotas.clear();
    return Promise.resolve();
  }
}
