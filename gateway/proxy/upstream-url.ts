import type { ApiSpec } from '../apidef/index.js';

/**
 * The path sent upstream: the request path with the listen path stripped when the API asks for
 * it, joined behind the target URL's path the way Tyk joins them (one slash between, the target's
 * trailing slash dropped unless `disable_strip_slash` and the request path is empty).
 */
export function upstreamPathOf(api: ApiSpec, path: string, prefixLength: number): string {
  const subPath = api.stripListenPath ? path.slice(prefixLength) : path;
  const basePath = api.target.basePath;
  if (api.disableStripSlash && (subPath === '' || subPath === '/')) return basePath === '' ? '/' : basePath;
  const base = basePath.endsWith('/') ? basePath.replace(/\/+$/, '') : basePath;
  const sub = subPath.startsWith('/') ? subPath.replace(/^\/+/, '') : subPath;
  const joined = sub === '' ? base : `${base}/${sub}`;
  return joined === '' ? '/' : joined;
}

/** The target URL's query first, then the request's, as Tyk merges them. */
export function upstreamQueryOf(api: ApiSpec, query: string): string {
  const base = api.target.baseQuery;
  if (base === '' || query === '') return base + query;
  return `${base}&${query}`;
}
