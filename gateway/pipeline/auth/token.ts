import type { AuthScheme } from '../../apidef/index.js';
import { readCredential, stripBearer } from '../credentials.js';
import { refusalOf } from '../refusal.js';
import { findSession } from './lookup.js';
import { failWith, pass, type AuthMethodRunner } from './method.js';

/**
 * Tyk's auth token (AuthKey, tyk-config.md 1.3): the key from the scheme's header, query or
 * cookie; 401 `Authorization field missing` without one, 403 (with AuthFailure) when no session
 * is stored for it or its policies cannot be applied.
 */
export function authTokenMethod(scheme: AuthScheme): AuthMethodRunner {
  return {
    method: 'auth_token',
    scheme,
    async run(ctx, deps) {
      const key = stripBearer(readCredential(ctx, scheme.config));
      if (key === '') return failWith(refusalOf('HG_ERR_AUTH_FIELD_MISSING'));
      const found = await findSession(ctx, deps, key);
      if (found.kind === 'failed') return failWith(found.refusal);
      if (found.kind === 'missing') {
        deps.log.warn(`nokey:${ctx.api.id}`, { api_id: ctx.api.id }, 'Attempted access with non-existent key.');
        return failWith(refusalOf('HG_ERR_KEY_NOT_FOUND'), key);
      }
      return pass(found.session, found.keyId);
    },
  };
}
