import { isExpired, notYetValid, peerCertificates } from '../../certs/index.js';
import type { SessionJson } from '../../session/index.js';
import type { HookDeps } from '../hooks.js';
import { refusalOf } from '../refusal.js';
import type { RequestContext } from '../request-context.js';
import { storageRefusal } from '../sessions.js';
import { findSession } from './lookup.js';
import { failWith, pass, type AuthFail, type AuthResult } from './method.js';

/** A key found for the request: where it is stored, and its session (policies applied). */
interface FoundKey {
  readonly keyId: string;
  readonly session: SessionJson;
}

/**
 * Certificate auth (`use_certificate`, tyk-config.md 3.8): the session linked to the client's
 * certificate (stored under `<org><sha256 of the leaf>`) authenticates the request. The handshake
 * proved the client holds the certificate's key, which a token cannot prove, so the token alone
 * is refused unless `allow_unsafe_dynamic_mtls_token`. Returns undefined when the request has no
 * certificate and the unsafe mode lets the ordinary token path decide.
 */
export async function certificateAuth(ctx: RequestContext, deps: HookDeps): Promise<AuthResult | undefined> {
  const peer = peerCertificates(ctx.req.socket);
  if (peer.kind !== 'presented') {
    if (deps.certs.allowUnsafeDynamicMtlsToken) return undefined;
    return failWith(refusalOf('HG_ERR_CERT_REQUIRED'));
  }
  if (isExpired(peer.leaf) || notYetValid(peer.leaf)) return failWith(refusalOf('HG_ERR_CERT_EXPIRED'));
  const certHash = ctx.api.orgId + peer.fingerprint;
  const found = await findSession(ctx, deps, certHash);
  if (found.kind === 'failed') return failWith(found.refusal);
  if (found.kind === 'missing') {
    deps.log.warn(`nocert:${ctx.api.id}`, { api_id: ctx.api.id, cert: peer.fingerprint }, 'no key is linked to the client certificate');
    return failWith(refusalOf('HG_ERR_CERT_MISMATCH'), certHash);
  }
  const stored = await linkedCertificateExists(ctx, deps, certHash);
  if (stored !== true) return stored;
  const session = found.session;
  const modified = session.certificate !== certHash;
  if (modified) session.certificate = certHash;
  return pass(session, found.keyId, modified);
}

/**
 * A key found by its token on a certificate-auth API (unsafe mode only): a certificate the key is
 * linked to must still be in the store (Tyk's validateLegacyWithoutCert).
 */
export async function tokenKeyCertificateCheck(ctx: RequestContext, deps: HookDeps, found: FoundKey): Promise<true | AuthFail> {
  const linked = found.session.certificate ?? '';
  return linked === '' ? true : linkedCertificateExists(ctx, deps, linked);
}

async function linkedCertificateExists(ctx: RequestContext, deps: HookDeps, certId: string): Promise<true | AuthFail> {
  let exists: boolean;
  try {
    exists = await deps.certs.store.exists(certId);
  } catch (err) {
    return failWith(storageRefusal(ctx, deps.sessions, 'certificates', err));
  }
  if (exists) return true;
  deps.log.warn(`nostoredcert:${ctx.api.id}`, { api_id: ctx.api.id }, 'Attempted access with non-existent cert.');
  return failWith(refusalOf('HG_ERR_CERT_NOT_FOUND'), certId);
}

/**
 * Certificate-token binding (tyk-config.md 3.9): on an API with static mTLS, a key whose
 * `mtls_static_certificate_bindings` is not empty passes only with one of those certificates.
 * The allow list has already passed; both must hold.
 */
export function checkBinding(ctx: RequestContext, deps: HookDeps, found: FoundKey, key: string): true | AuthFail {
  const bindings = found.session['mtls_static_certificate_bindings'];
  if (ctx.api.tls.clientCertificates === undefined || !Array.isArray(bindings) || bindings.length === 0) return true;
  const peer = peerCertificates(ctx.req.socket);
  if (peer.kind !== 'presented') return failWith(refusalOf('HG_ERR_CERT_MISMATCH'), key);
  if (isExpired(peer.leaf) || notYetValid(peer.leaf)) return failWith(refusalOf('HG_ERR_CERT_EXPIRED'));
  if (bindings.includes(ctx.api.orgId + peer.fingerprint)) return true;
  deps.log.warn(`binding:${ctx.api.id}`, { api_id: ctx.api.id, cert: peer.fingerprint }, 'Certificate mismatch detected for token');
  return failWith(refusalOf('HG_ERR_CERT_MISMATCH'), key);
}
