import type { ApiSpec, AuthScheme } from '../../apidef/index.js';
import { basicAuthMethod } from './basic.js';
import { customPluginMethod } from './custom-plugin.js';
import { hmacMethod } from './hmac.js';
import { jwtMethod } from './jwt/index.js';
import type { AuthMethodRunner } from './method.js';
import { authTokenMethod } from './token.js';

/** The runner of each method this version implements (features.ts refuses the others at load). */
export function authMethodRunner(scheme: AuthScheme, api: ApiSpec): AuthMethodRunner {
  switch (scheme.method) {
    case 'auth_token':
      return authTokenMethod(scheme);
    case 'basic':
      return basicAuthMethod(scheme, api);
    case 'hmac':
      return hmacMethod(scheme, api);
    case 'jwt':
      return jwtMethod(scheme, api);
    case 'custom_plugin': {
      const hook = api.plugins?.authCheck;
      if (hook === undefined) throw new Error(`API ${api.id}: custom plugin auth without an auth_check hook`);
      return customPluginMethod(scheme, hook, api.plugins?.idExtractor);
    }
    default:
      throw new Error(`API ${api.id}: auth method ${scheme.method} is not implemented`);
  }
}
