import { Agent } from 'undici';
import type { UpstreamProfile } from '../upstream-tls/index.js';
import { upstreamConnector } from './connector.js';
import type { ProxySettings } from './forward.js';

/**
 * One keep-alive pool (an undici Agent, itself a pool per origin) per upstream profile: APIs with
 * the same TLS settings and forward proxy share connections, and no request ever builds TLS
 * settings. Pools are made when definitions load; one no API uses any more is closed after its
 * in-flight requests.
 */
export class UpstreamPools {
  private readonly pools = new Map<string, Agent>();

  constructor(private readonly settings: ProxySettings) {}

  /** The pool for a profile; made now if a request arrives for one that was not prepared. */
  get(profile: UpstreamProfile): Agent {
    let pool = this.pools.get(profile.key);
    if (pool === undefined) {
      pool = this.create(profile);
      this.pools.set(profile.key, pool);
    }
    return pool;
  }

  /** Makes the pools `profiles` need and closes the others (gracefully: in-flight requests finish). */
  retain(profiles: Iterable<UpstreamProfile>): void {
    const wanted = new Set<string>();
    for (const profile of profiles) {
      wanted.add(profile.key);
      this.get(profile);
    }
    for (const [key, pool] of this.pools) {
      if (wanted.has(key)) continue;
      this.pools.delete(key);
      void pool.close().catch(() => undefined);
    }
  }

  get size(): number {
    return this.pools.size;
  }

  async close(): Promise<void> {
    await Promise.all([...this.pools.values()].map((pool) => pool.close()));
  }

  async destroy(): Promise<void> {
    await Promise.all([...this.pools.values()].map((pool) => pool.destroy()));
  }

  private create(profile: UpstreamProfile): Agent {
    const s = this.settings;
    return new Agent({
      keepAliveTimeout: s.keepAliveTimeoutMs,
      headersTimeout: s.timeoutMs,
      bodyTimeout: s.timeoutMs,
      connect: upstreamConnector(profile, s.timeoutMs),
      ...(s.connectionsPerOrigin === null ? {} : { connections: s.connectionsPerOrigin }),
    });
  }
}
