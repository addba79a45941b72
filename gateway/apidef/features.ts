import type { Problem } from '../validation/index.js';
import { AUTH_METHOD_DESCRIPTIONS, AUTH_METHOD_FIELDS, authMethodsOf, type AuthMethod } from './auth-methods.js';
import type { ApiDefinition, MiddlewareDefinition } from './schema.js';

/** Auth methods this version can enforce. Each issue that adds one adds it here. */
const SUPPORTED_AUTH_METHODS: ReadonlySet<AuthMethod> = new Set<AuthMethod>();

const HOOK_LISTS = ['pre', 'post_key_auth', 'post', 'response'] as const;

/**
 * Checks a schema-valid definition against what this version implements. Anything that would make
 * the API less protected than in Tyk is an error (the API is refused); the rest are warnings.
 */
export function checkApiFeatures(def: ApiDefinition): { errors: Problem[]; warnings: Problem[] } {
  const errors: Problem[] = [];
  const warnings: Problem[] = [];
  const refuse = (path: string, what: string) =>
    errors.push({ path, message: `\`${path}\`: ${what}, which Hookgate does not support yet; the API is refused rather than served without it` });

  for (const method of authMethodsOf(def)) {
    if (SUPPORTED_AUTH_METHODS.has(method)) continue;
    if (method === 'auth_token' && !def.use_standard_auth) {
      refuse('use_keyless', `the API is protected (use_keyless is false) and no other method is on, so it needs ${AUTH_METHOD_DESCRIPTIONS[method]} (Tyk's default)`);
    } else if (method === 'custom_plugin') {
      const flag = def.custom_plugin_auth_enabled ? 'custom_plugin_auth_enabled' : def.enable_coprocess_auth ? 'enable_coprocess_auth' : 'use_go_plugin_auth';
      refuse(flag, `the API needs ${AUTH_METHOD_DESCRIPTIONS[method]}`);
    } else {
      refuse(AUTH_METHOD_FIELDS[method], `the API needs ${AUTH_METHOD_DESCRIPTIONS[method]}`);
    }
  }
  if (def.use_keyless) {
    const flags = ['use_standard_auth', 'use_basic_auth', 'enable_jwt', 'enable_signature_checking', 'use_oauth2', 'use_openid', 'use_go_plugin_auth', 'enable_coprocess_auth', 'custom_plugin_auth_enabled'] as const;
    const ignored = flags.filter((flag) => def[flag]);
    for (const flag of ignored) {
      warnings.push({ path: flag, message: `\`${flag}\` is ignored because \`use_keyless\` is true (as in Tyk, a keyless API runs no auth)` });
    }
  }

  const middleware = def.custom_middleware;
  HOOK_LISTS.forEach((list) => {
    middleware[list].forEach((hook: MiddlewareDefinition, index) => {
      if (hook.disabled) return;
      const path = `custom_middleware.${list}[${index}]`;
      if (list === 'post_key_auth' && def.use_keyless) {
        warnings.push({ path, message: `\`${path}\` never runs: post_key_auth hooks run only on protected APIs (as in Tyk)` });
        return;
      }
      refuse(path, `plugin hook "${hook.name}" (${list})`);
    });
  });

  if (def.custom_middleware_bundle.trim() !== '' && !def.custom_middleware_bundle_disabled) {
    refuse('custom_middleware_bundle', `plugin bundle "${def.custom_middleware_bundle}"`);
  }

  if (def.version_data !== undefined && !def.version_data.not_versioned) {
    refuse('version_data.not_versioned', 'API versioning (not_versioned is false)');
  }

  const listenPath = def.proxy.listen_path;
  if (listenPath.includes('{')) refuse('proxy.listen_path', `a path template in the listen path ${JSON.stringify(listenPath)}`);
  if (/[?#]/.test(listenPath) || /(^|\/)\.\.?(\/|$)/.test(listenPath)) {
    errors.push({
      path: 'proxy.listen_path',
      message: `\`proxy.listen_path\` must be a plain path without "?", "#", "." or ".." segments, got ${JSON.stringify(listenPath)}`,
    });
  }
  return { errors, warnings };
}
