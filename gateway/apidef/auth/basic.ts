import { translateRe2 } from '../../../coprocess/index.js';
import type { Problem } from '../../validation/index.js';
import type { ApiDefinition } from '../schema.js';
import type { AuthConfig } from './plan.js';

/** Tyk's default when `basic_auth.cache_ttl` is 0 or less (`defaultBasicAuthTTL`). */
export const DEFAULT_BASIC_CACHE_TTL_SECONDS = 60;

/** An API's basic-auth settings, compiled once at load. */
export interface BasicAuthSettings {
  /** How long a successful bcrypt check is remembered; undefined with `disable_caching`. */
  readonly cacheTtlMs: number | undefined;
  /** `extract_from_body`: the regexps whose first group is the username and the password. */
  readonly body: { readonly user: RegExp; readonly password: RegExp } | undefined;
}

export type BasicAuthCompilation = { readonly ok: true; readonly settings: BasicAuthSettings } | { readonly ok: false; readonly errors: readonly Problem[] };

/**
 * Checks and compiles `basic_auth` (tyk-config.md 1.4). Tyk disables the API when body extraction
 * is on and a regexp is empty or does not compile; so does Hookgate. A regexp without a capture
 * group is refused too: Tyk would load it and answer every request it matches with 400 (`username
 * should be inside regexp match group`), so no request could ever authenticate. The regexps are
 * Go's syntax (RE2), translated to JavaScript as the ID extractor's are; what cannot be translated
 * faithfully is refused with the reason. With every credential source of `auth_configs.basic`
 * switched off and no body extraction, nothing could be read either.
 */
export function compileBasicAuth(def: ApiDefinition, config: AuthConfig | undefined): BasicAuthCompilation {
  const settings = def.basic_auth;
  const errors: Problem[] = [];
  const regexp = (key: 'body_user_regexp' | 'body_password_regexp', what: string): RegExp | undefined => {
    const path = `basic_auth.${key}`;
    const pattern = settings[key];
    if (pattern === '') {
      errors.push({ path, message: `\`${path}\` is empty, but \`basic_auth.extract_from_body\` is on (Tyk disables such an API: "Basic Auth configured to extract credentials from body, but regexps are empty")` });
      return undefined;
    }
    const translated = translateRe2(pattern, { captures: true });
    if (!translated.ok) {
      errors.push({ path, message: `\`${path}\` is not a usable Go regexp: ${translated.reason}` });
      return undefined;
    }
    if (translated.groups === 0) {
      errors.push({ path, message: `\`${path}\` has no capture group, so no request could authenticate (Tyk answers each match with 400 "${what} should be inside regexp match group"); put the ${what} in ( )` });
      return undefined;
    }
    return translated.regexp;
  };

  let body: BasicAuthSettings['body'];
  if (settings.extract_from_body) {
    const user = regexp('body_user_regexp', 'username');
    const password = regexp('body_password_regexp', 'password');
    if (user !== undefined && password !== undefined) body = { user, password };
  } else if (config?.disable_header === true && !config.use_param && !config.use_cookie) {
    errors.push({ path: 'auth_configs.basic', message: '`auth_configs.basic`: all auth sources are disabled for basic, at least one of header/cookie/query must be enabled (or basic_auth.extract_from_body)' });
  }
  if (errors.length > 0) return { ok: false, errors };
  const ttlSeconds = settings.cache_ttl > 0 ? settings.cache_ttl : DEFAULT_BASIC_CACHE_TTL_SECONDS;
  return { ok: true, settings: { cacheTtlMs: settings.disable_caching ? undefined : ttlSeconds * 1000, body } };
}
