import type { ApiSpec, RefusedApi } from '../apidef/index.js';
import { stagesFor, type Stage } from '../pipeline/index.js';
import { HostRouter, lenientView } from '../routing/index.js';

/**
 * What a listen path leads to: a served API with its stages (built here, once per load), or a
 * refused one whose path stays blocked.
 */
export type RouteTarget =
  | { readonly kind: 'api'; readonly api: ApiSpec; readonly stages: readonly Stage[] | undefined }
  | { readonly kind: 'refused'; readonly file: string; readonly apiId: string | undefined };

/**
 * Routes for the loaded APIs, by custom domain and listen path. A refused definition keeps its listen path, answering 404, so its
 * requests never fall through to an API with a shorter listen path (a broken protected API must
 * not expose its paths through a keyless `/` API).
 */
export function buildRouter(apis: readonly ApiSpec[], refused: readonly RefusedApi[]): HostRouter<RouteTarget> {
  const entries: (readonly [string, string, RouteTarget])[] = [];
  // A refused API's listen path is blocked on every host (its domain may be what was wrong).
  for (const r of refused) {
    if (r.routePrefix !== undefined) entries.push(['', r.routePrefix, { kind: 'refused', file: r.file, apiId: r.apiId }]);
  }
  // Served APIs last: a listen path that is both served and refused (a duplicate) stays served.
  for (const api of apis) entries.push([api.tls.domain, api.routePrefix, { kind: 'api', api, stages: stagesFor(api) }]);
  return new HostRouter(entries, lenientView);
}
