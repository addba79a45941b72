import { X509Certificate, type KeyObject } from 'node:crypto';
import { compactVerify, decodeJwt, decodeProtectedHeader, importJWK, type JWK, type ProtectedHeaderParameters } from 'jose';
import { keyFitsFamily, KNOWN_JWT_ALGORITHMS, verificationKeyOf, type JwtFamily, type JwtSettings } from '../../../apidef/index.js';
import type { HookDeps } from '../../hooks.js';
import { refusalOf, type Refusal } from '../../refusal.js';
import type { RequestContext } from '../../request-context.js';
import { findSession, type Lookup } from '../lookup.js';
import { identityOf, type Claims } from './claims.js';

export type Verified =
  | { readonly ok: true; readonly claims: Claims; readonly header: ProtectedHeaderParameters; readonly found: Extract<Lookup, { kind: 'found' }> | undefined }
  | { readonly ok: false; readonly refusal: Refusal; readonly authFailureKey?: string | undefined };

type Key = Parameters<typeof compactVerify>[1];
type Resolved = { readonly ok: true; readonly key: Key; readonly found?: Extract<Lookup, { kind: 'found' }> } | Extract<Verified, { ok: false }>;

const JWK_TYPES: Record<JwtFamily, string> = { hmac: 'oct', rsa: 'RSA', ecdsa: 'EC' };
// Tyk fires AuthFailure with an empty key for a token it cannot verify.
const invalid = (): Extract<Verified, { ok: false }> => ({ ok: false, refusal: refusalOf('HG_ERR_JWT_INVALID'), authFailureKey: '' });
const unexpected = (): Extract<Verified, { ok: false }> => ({ ok: false, refusal: refusalOf('HG_ERR_JWT_UNEXPECTED_SIGNING_METHOD'), authFailureKey: '' });

/**
 * Verifies a compact JWS with jose against the API's key, allowing only the algorithms of its
 * signing method (so `none`, and HMAC on an RSA or ECDSA API, never verify). The payload must
 * be a JSON object. Time claims are the caller's (their failures answer differently).
 */
export async function verifyToken(ctx: RequestContext, deps: HookDeps, settings: JwtSettings, token: string): Promise<Verified> {
  let header: ProtectedHeaderParameters;
  let unverified: Claims;
  try {
    header = decodeProtectedHeader(token);
    unverified = decodeJwt(token);
  } catch {
    return invalid();
  }
  const alg = header.alg;
  if (typeof alg !== 'string' || !KNOWN_JWT_ALGORITHMS.has(alg) || 'b64' in header) return invalid();
  if (!settings.algorithms.includes(alg)) {
    deps.log.warn(`jwt-alg:${ctx.api.id}`, { api_id: ctx.api.id, alg, signing_method: settings.family }, 'JWT signed with an algorithm the API does not accept');
    return unexpected();
  }
  const resolved = await resolveKey(ctx, deps, settings, header, alg, unverified);
  if (!resolved.ok) return resolved;
  let payload: Uint8Array;
  try {
    ({ payload } = await compactVerify(token, resolved.key, { algorithms: [...settings.algorithms] }));
  } catch (err) {
    deps.log.warn(`jwt-invalid:${ctx.api.id}`, { api_id: ctx.api.id, reason: (err as { code?: string }).code ?? 'verification failed' }, 'Attempted JWT access with non-existent key.');
    return invalid();
  }
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(payload).toString('utf8'));
  } catch {
    return invalid();
  }
  if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) return invalid();
  return { ok: true, claims: claims as Claims, header, found: resolved.found };
}

async function resolveKey(ctx: RequestContext, deps: HookDeps, settings: JwtSettings, header: ProtectedHeaderParameters, alg: string, claims: Claims): Promise<Resolved> {
  const source = settings.source;
  if (source.kind === 'static') return { ok: true, key: source.key };
  if (source.kind === 'jwks') {
    const kid = header.kid;
    if (typeof kid !== 'string') return invalid();
    let reasons: string[] = [];
    for (const uri of source.uris) {
      const lookup = await deps.jwks.find(uri.url, kid, uri.ttlSeconds === undefined ? undefined : uri.ttlSeconds * 1000);
      if (lookup.kind === 'found') return jwkKey(ctx, deps, settings.family, lookup.jwk, alg);
      reasons = [...reasons, lookup.kind === 'unknown_kid' ? `no key "${kid}" in ${uri.url}` : `${uri.url}: ${lookup.reason}`];
    }
    deps.log.warn(`jwt-kid:${ctx.api.id}`, { api_id: ctx.api.id, reasons }, 'No matching KID could be found');
    return invalid();
  }
  // One-to-one: the key's own secret, the key named by `kid` (unless jwt_skip_kid) or the identity claim.
  const kid = settings.skipKid ? undefined : header.kid;
  let id = typeof kid === 'string' ? kid : undefined;
  if (id === undefined) {
    const identity = identityOf(claims, settings.identityBaseField);
    if (!identity.ok) return invalid();
    id = identity.id;
  }
  const found = await findSession(ctx, deps, id);
  if (found.kind === 'failed') return { ok: false, refusal: found.refusal };
  if (found.kind === 'missing') {
    deps.log.warn(`jwt-nokey:${ctx.api.id}`, { api_id: ctx.api.id }, 'token invalid, key not found');
    return invalid();
  }
  try {
    return { ok: true, key: verificationKeyOf(Buffer.from(found.session.jwt_data?.secret ?? '', 'utf8'), settings.family), found };
  } catch (err) {
    // Never the secret itself: only why it cannot be used.
    deps.log.warn(`jwt-secret:${ctx.api.id}`, { api_id: ctx.api.id, reason: err instanceof Error ? err.message : String(err) }, 'the key\'s jwt_data.secret cannot verify this API\'s tokens');
    return invalid();
  }
}

/** A JWKS key of the API's family (anything else is the wrong signing method), for `alg`. */
async function jwkKey(ctx: RequestContext, deps: HookDeps, family: JwtFamily, jwk: JWK, alg: string): Promise<Resolved> {
  if (jwk.kty !== JWK_TYPES[family]) {
    deps.log.warn(`jwt-kty:${ctx.api.id}`, { api_id: ctx.api.id, kid: jwk.kid, kty: jwk.kty, signing_method: family }, 'the JWKS key for this kid is not of the API\'s signing method');
    return unexpected();
  }
  try {
    const certificate = jwk.x5c?.[0];
    const bare = family !== 'hmac' && jwk.n === undefined && jwk.x === undefined && certificate !== undefined;
    // A key given only as a certificate chain (Tyk's x5c fallback).
    const key = bare ? new X509Certificate(Buffer.from(certificate, 'base64')).publicKey : await importJWK(jwk, alg);
    if (bare && !keyFitsFamily(key as KeyObject, family)) return unexpected();
    return { ok: true, key };
  } catch (err) {
    deps.log.warn(`jwt-jwk:${ctx.api.id}`, { api_id: ctx.api.id, kid: jwk.kid, reason: err instanceof Error ? err.message : String(err) }, 'the JWKS key for this kid cannot be used');
    return invalid();
  }
}
