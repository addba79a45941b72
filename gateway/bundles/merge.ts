import { join } from 'node:path';
import { customMiddlewareSchema, type CustomMiddleware, type MiddlewareDefinition } from '../apidef/index.js';
import { HookgateError } from '../errors/index.js';

export interface BundlePart {
  readonly name: string;
  readonly subdir: string;
  readonly customMiddleware: CustomMiddleware;
}

/**
 * Tyk's mergeBundleManifest (protocol.md 4.7), over the bundles of a list in order: pre, post,
 * post_key_auth and response hooks appended with `path` under the bundle's subfolder; one
 * auth_check at most; one driver; the first id_extractor that extracts something wins.
 */
export function mergeBundles(parts: readonly BundlePart[]): CustomMiddleware {
  const merged: CustomMiddleware = customMiddlewareSchema.parse({});
  const fail = (name: string, why: string) => new HookgateError('HG_ERR_BUNDLE_MERGE', `Couldn't merge bundle ${JSON.stringify(name)}: ${why}`);
  for (const { name, subdir, customMiddleware: src } of parts) {
    const under = (hook: MiddlewareDefinition): MiddlewareDefinition => (hook.path === '' ? hook : { ...hook, path: join(subdir, hook.path) });
    if (src.driver !== '') {
      if (merged.driver === '') merged.driver = src.driver;
      else if (merged.driver !== src.driver) throw fail(name, `bundle ${JSON.stringify(name)} declares driver ${JSON.stringify(src.driver)} but earlier bundles set ${JSON.stringify(merged.driver)}`);
    }
    if (src.auth_check.name !== '') {
      if (merged.auth_check.name !== '') {
        throw fail(name, `bundle ${JSON.stringify(name)} declares an auth_check hook but another bundle has already set one (${JSON.stringify(merged.auth_check.name)})`);
      }
      merged.auth_check = under(src.auth_check);
    }
    // New arrays each time: the parsed defaults may be shared.
    merged.pre = [...merged.pre, ...src.pre.map(under)];
    merged.post = [...merged.post, ...src.post.map(under)];
    merged.post_key_auth = [...merged.post_key_auth, ...src.post_key_auth.map(under)];
    merged.response = [...merged.response, ...src.response.map(under)];
    if (!merged.id_extractor.disabled && merged.id_extractor.extract_with === '' && src.id_extractor.extract_with !== '') merged.id_extractor = src.id_extractor;
  }
  return merged;
}
