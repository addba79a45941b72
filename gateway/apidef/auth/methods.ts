import type { ApiDefinition } from '../schema.js';

/** Authentication methods of a Classic definition, in the order Tyk's loader chains them. */
export const AUTH_METHODS = ['oauth2', 'basic', 'hmac', 'jwt', 'openid', 'custom_plugin', 'auth_token'] as const;
export type AuthMethod = (typeof AUTH_METHODS)[number];

/** The flag that turns each method on, for messages. */
export const AUTH_METHOD_FIELDS: Record<AuthMethod, string> = {
  oauth2: 'use_oauth2',
  basic: 'use_basic_auth',
  hmac: 'enable_signature_checking',
  jwt: 'enable_jwt',
  openid: 'use_openid',
  custom_plugin: 'enable_coprocess_auth',
  auth_token: 'use_standard_auth',
};

export const AUTH_METHOD_DESCRIPTIONS: Record<AuthMethod, string> = {
  oauth2: 'OAuth 2.0',
  basic: 'basic auth',
  hmac: 'HMAC request signatures',
  jwt: 'JWT auth',
  openid: 'OpenID Connect',
  custom_plugin: 'custom plugin auth',
  auth_token: 'the auth token',
};

/**
 * The methods a protected API runs, from its flags, as Tyk's loader decides them (AND mode, in
 * AUTH_METHODS order). The auth token runs when `use_standard_auth` is on, or when no other
 * method is: Tyk's default for a protected API. Keyless APIs run none.
 */
export function authMethodsOf(def: ApiDefinition): readonly AuthMethod[] {
  if (def.use_keyless) return [];
  const on: Record<AuthMethod, boolean> = {
    oauth2: def.use_oauth2,
    basic: def.use_basic_auth,
    hmac: def.enable_signature_checking,
    jwt: def.enable_jwt,
    openid: def.use_openid,
    custom_plugin: def.enable_coprocess_auth || def.custom_plugin_auth_enabled || def.use_go_plugin_auth,
    auth_token: def.use_standard_auth,
  };
  const methods = AUTH_METHODS.filter((method) => on[method]);
  return methods.length === 0 ? ['auth_token'] : methods;
}

/** `base_identity_provided_by` values and the method each names. */
export const BASE_IDENTITY_METHODS: Record<string, AuthMethod> = {
  auth_token: 'auth_token',
  custom_auth: 'custom_plugin',
  jwt_claim: 'jwt',
  basic_auth_user: 'basic',
  hmac_key: 'hmac',
  oidc_user: 'openid',
  oauth_key: 'oauth2',
};

/** Whether a method supplies the session under `base_identity_provided_by` (its own value, or unset). */
export function suppliesSession(baseIdentity: string, method: AuthMethod): boolean {
  return baseIdentity === '' || BASE_IDENTITY_METHODS[baseIdentity] === method;
}
