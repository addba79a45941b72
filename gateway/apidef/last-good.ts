import type { ApiLoadResult, RefusedApi } from './load.js';
import type { ApiSpec } from './model.js';

/**
 * On a reload, an API whose only problem is its plugin bundle (download, archive, manifest,
 * verification) keeps serving the version that served before the reload, instead of going dark
 * (Tyk drops it). It stays only while nothing in the new set claims its id or listen path; the
 * failure is reported as a warning that names the bundle and the reason.
 */
export function keepLastGood(previous: readonly ApiSpec[], next: ApiLoadResult): ApiLoadResult {
  const apis = [...next.apis];
  const refused: RefusedApi[] = [];
  const warnings = [...next.warnings];
  for (const r of next.refused) {
    const failure = r.bundleFailure;
    const last = failure === undefined || r.apiId === undefined ? undefined : previous.find((api) => api.id === r.apiId);
    const taken = last !== undefined && apis.some((api) => api.id === last.id || api.routePrefix === last.routePrefix);
    if (failure === undefined || last === undefined || taken) {
      refused.push(r);
      continue;
    }
    apis.push(last);
    const was = last.definition.custom_middleware_bundle;
    warnings.push({
      file: r.file,
      problem: {
        path: 'custom_middleware_bundle',
        message:
          `\`custom_middleware_bundle\`: bundle ${JSON.stringify(failure.name)} failed to load: ${failure.reason}; ` +
          `API ${JSON.stringify(last.id)} keeps serving its last good version (${was === '' ? 'without a bundle' : `bundle ${JSON.stringify(was)}`})`,
      },
    });
  }
  return { apis, refused, inactive: next.inactive, warnings };
}
