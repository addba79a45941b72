import type { AuthScheme } from '../../apidef/index.js';
import { readCredential, stripBearer } from '../credentials.js';
import { refusalOf } from '../refusal.js';
import { certificateAuth, checkBinding, tokenKeyCertificateCheck } from './certificate.js';
import { findSession } from './lookup.js';
import { failWith, pass, type AuthMethodRunner } from './method.js';

/**
 * Tyk's auth token (AuthKey, tyk-config.md 1.3): the key from the scheme's header, query or
 * cookie; 401 `Authorization field missing` without one, 403 (with AuthFailure) when no session
 * is stored for it or its policies cannot be applied. With `use_certificate`, the client
 * certificate's linked key instead (see certificate.ts); on an API with static mTLS, a key bound to
 * certificates passes only with one.
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
      const found = await findSession(ctx, deps, key);
      if (found.kind === 'failed') return failWith(found.refusal);
      if (found.kind === 'missing') {
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
