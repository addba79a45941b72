import type { AuthScheme } from '../../apidef/index.js';
import { readCredential, stripBearer } from '../credentials.js';
import { refusalOf } from '../refusal.js';
import { storageRefusal } from '../sessions.js';
import { certificateAuth, checkBinding, tokenKeyCertificateCheck } from './certificate.js';
import { failWith, namesPolicies, pass, type AuthMethodRunner } from './method.js';

/**
 * Tyk's auth token (AuthKey, tyk-config.md 1.3): the key from the scheme's header, query or
 * cookie; 401 `Authorization field missing` without one, 403 (with AuthFailure) when no session
 * is stored for it. With `use_certificate`, the client certificate's linked key instead (see
 * certificate.ts); on an API with static mTLS, a key bound to certificates passes only with one.
 */
export function authTokenMethod(scheme: AuthScheme): AuthMethodRunner {
  const useCertificate = scheme.config?.use_certificate === true;
  return {
    method: 'auth_token',
    scheme,
    async run(ctx, deps) {
      if (useCertificate) {
        const byCertificate = await certificateAuth(ctx, deps);
        if (byCertificate !== undefined) return byCertificate;
      }
      const key = stripBearer(readCredential(ctx, scheme.config));
      if (key === '') return failWith(refusalOf('HG_ERR_AUTH_FIELD_MISSING'));
      let found;
      try {
        found = await deps.sessions.sessions.find(ctx.api.orgId, key);
      } catch (err) {
        return failWith(storageRefusal(ctx, deps.sessions, 'find', err));
      }
      if (found !== undefined && namesPolicies(found.session)) {
        deps.log.warn(`policy:${ctx.api.id}`, { api_id: ctx.api.id }, 'the key names policies (apply_policies), which Hookgate does not support yet; treated as not found');
        found = undefined;
      }
      if (found === undefined) {
        deps.log.warn(`nokey:${ctx.api.id}`, { api_id: ctx.api.id }, 'Attempted access with non-existent key.');
        return failWith(refusalOf('HG_ERR_KEY_NOT_FOUND'), key);
      }
      if (useCertificate) {
        const linked = await tokenKeyCertificateCheck(ctx, deps, found);
        if (linked !== true) return linked;
      }
      const bound = checkBinding(ctx, deps, found, key);
      if (bound !== true) return bound;
      return pass(found.session, found.keyId);
    },
  };
}
