import type { IncomingMessage } from 'node:http';
import { Router, type RouteMatch } from './router.js';

/** The host a request names (Host, or :authority on HTTP/2), lowercased, without its port. */
export function requestHost(req: IncomingMessage): string {
  const host = req.headers.host ?? (req.headers[':authority'] as string | undefined) ?? '';
  return host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '').toLowerCase();
}

/**
 * Routing by host, then by longest listen path: APIs with a custom domain answer only on their
 * host, where they come before APIs without a domain on the same listen path; APIs without a
 * domain answer on every host.
 */
export class HostRouter<T> {
  private readonly any: Router<T>;
  private readonly byHost = new Map<string, Router<T>>();

  /**
   * `entries` in priority order (later entries for one prefix replace earlier ones); `domain` "" =
   * any host. `lenient` is passed to each host's Router (see Router).
   */
  constructor(entries: readonly (readonly [domain: string, prefix: string, value: T])[], lenient?: (path: string) => string) {
    const shared = entries.filter(([domain]) => domain === '').map(([, prefix, value]) => [prefix, value] as const);
    this.any = new Router(shared, lenient);
    const domains = new Set(entries.map(([domain]) => domain).filter((d) => d !== ''));
    for (const domain of domains) {
      const own = entries.filter(([d]) => d === domain).map(([, prefix, value]) => [prefix, value] as const);
      this.byHost.set(domain, new Router([...shared, ...own], lenient));
    }
  }

  /** The routes a request for `host` sees. */
  forHost(host: string): Router<T> {
    return this.byHost.get(host) ?? this.any;
  }

  match(host: string, path: string): RouteMatch<T> | undefined {
    return this.forHost(host).match(path);
  }
}
