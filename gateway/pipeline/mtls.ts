import { checkAllowList, peerCertificates } from '../certs/index.js';
import { messageRefusal, writeRefusal } from './refusal.js';
import type { Stage } from './stages.js';
import { storageRefusal } from './sessions.js';

/**
 * Static mTLS (`use_mutual_tls_auth`, tyk-config.md 3.7), before any hook or auth: the client's
 * leaf certificate must be allow-listed, or chain to an allow-listed CA (certs/verify.ts). Every
 * refusal is 403 with Tyk's text; keyless APIs are checked too.
 */
export const mtlsStage: Stage = async (ctx, deps) => {
  const refs = ctx.api.tls.clientCertificates;
  if (refs === undefined) return true;
  let allowed;
  try {
    allowed = (await deps.certs.store.resolveAll(refs)).found;
  } catch (err) {
    return writeRefusal(ctx, deps.errors, storageRefusal(ctx, deps.sessions, 'certificates', err));
  }
  const check = checkAllowList(peerCertificates(ctx.req.socket), allowed);
  if (check.ok) return true;
  deps.log.warn(`mtls:${ctx.api.id}`, { api_id: ctx.api.id, reason: check.message }, 'client certificate refused');
  return writeRefusal(ctx, deps.errors, messageRefusal(403, check.message));
};
