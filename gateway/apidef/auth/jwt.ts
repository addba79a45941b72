import { createPublicKey, createSecretKey, X509Certificate, type KeyObject } from 'node:crypto';
import type { Problem } from '../../validation/index.js';
import type { ApiDefinition } from '../schema.js';
import { goDurationSeconds } from '../go-duration.js';

export type JwtFamily = 'hmac' | 'rsa' | 'ecdsa';

/** The algorithms each `jwt_signing_method` accepts (Tyk's assertSigningMethod; RSA includes RSA-PSS). */
export const JWT_ALGORITHMS: Readonly<Record<JwtFamily, readonly string[]>> = {
  hmac: ['HS256', 'HS384', 'HS512'],
  rsa: ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'],
  ecdsa: ['ES256', 'ES384', 'ES512'],
};

/** Every algorithm Tyk's JWT library knows; any other `alg` is a parse failure there. */
export const KNOWN_JWT_ALGORITHMS: ReadonlySet<string> = new Set([...Object.values(JWT_ALGORITHMS).flat(), 'EdDSA', 'none']);

/** Where the key that verifies a token comes from. */
export type JwtKeySource =
  /** `jwt_source` holds the secret or public key itself (centralised). */
  | { readonly kind: 'static'; readonly key: KeyObject }
  /** JWKS URLs (`jwt_source` as a URL, or `jwt_jwks_uris`), keys matched by `kid` (centralised). */
  | { readonly kind: 'jwks'; readonly uris: readonly { readonly url: string; readonly ttlSeconds: number | undefined }[] }
  /** No source: one-to-one, the key's own `jwt_data.secret`. */
  | { readonly kind: 'session' };

/** An API's JWT settings, checked and decoded at load. */
export interface JwtSettings {
  readonly family: JwtFamily;
  readonly algorithms: readonly string[];
  readonly source: JwtKeySource;
  readonly identityBaseField: string;
  readonly policyFieldName: string;
  readonly clientBaseField: string;
  readonly defaultPolicies: readonly string[];
  readonly skipKid: boolean;
  /** Grace in seconds for `exp`, `iat` and `nbf`. */
  readonly skew: { readonly exp: number; readonly iat: number; readonly nbf: number };
  /** Set `oauth_client_id` from the `clientId`/`cid`/`client_id` claim (unless idp_client_id_mapping_disabled). */
  readonly clientIdMapping: boolean;
  /** Tyk OAS `allowedIssuers` / `allowedAudiences`; empty lists are not checked. */
  readonly allowedIssuers: readonly string[];
  readonly allowedAudiences: readonly string[];
}

export interface JwtCompileResult {
  readonly settings: JwtSettings | undefined;
  readonly errors: readonly Problem[];
  readonly warnings: readonly Problem[];
}

const HTTP_SCHEME = /^https?:\/\//;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Go's base64.StdEncoding: padded, line breaks ignored; undefined when it is not base64. */
export function strictBase64(text: string): Buffer | undefined {
  const compact = text.replace(/[\r\n]/g, '');
  return BASE64.test(compact) ? Buffer.from(compact, 'base64') : undefined;
}

const isPem = (bytes: Buffer) => bytes.includes('-----BEGIN');

/**
 * A public key from PEM (SPKI, PKCS#1 or an X.509 certificate) or DER (SPKI or certificate), as
 * Tyk's ParseRSAPublicKey reads it. A private key is refused: it must not sit in a config.
 */
export function publicKeyOf(bytes: Buffer): KeyObject {
  if (bytes.includes('PRIVATE KEY')) throw new Error('it is a private key; give the public key or certificate');
  if (bytes.includes('-----BEGIN CERTIFICATE-----')) return new X509Certificate(bytes).publicKey;
  if (isPem(bytes)) return createPublicKey(bytes.toString('utf8'));
  try {
    return createPublicKey({ key: bytes, format: 'der', type: 'spki' });
  } catch {
    return new X509Certificate(bytes).publicKey;
  }
}

/** Whether a key can verify the family's algorithms (an RSA key never verifies HMAC, and so on). */
export function keyFitsFamily(key: KeyObject, family: JwtFamily): boolean {
  if (family === 'hmac') return key.type === 'secret';
  if (key.type !== 'public') return false;
  return family === 'rsa' ? key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss' : key.asymmetricKeyType === 'ec';
}

/**
 * The key of a secret or PEM for a family: HMAC takes the bytes as the secret (never a PEM: a
 * public key used as an HMAC secret is the key-confusion attack); RSA and ECDSA parse a public
 * key of their own type. Throws with the reason otherwise.
 */
export function verificationKeyOf(bytes: Buffer, family: JwtFamily): KeyObject {
  if (family === 'hmac') {
    if (isPem(bytes)) throw new Error('it is a PEM key or certificate, which must never be used as an HMAC secret (set jwt_signing_method to "rsa" or "ecdsa")');
    if (bytes.length === 0) throw new Error('the HMAC secret is empty');
    return createSecretKey(bytes);
  }
  const key = publicKeyOf(bytes);
  if (!keyFitsFamily(key, family)) throw new Error(`it is a${key.asymmetricKeyType === 'ec' ? 'n EC' : ` ${String(key.asymmetricKeyType).toUpperCase()}`} key, not a key for jwt_signing_method "${family}"`);
  return key;
}

export { goDurationSeconds };

function sourceOf(def: ApiDefinition, family: JwtFamily, errors: Problem[]): JwtKeySource | undefined {
  if (def.jwt_jwks_uris.length > 0) {
    if (def.jwt_source !== '') {
      errors.push({ path: 'jwt_jwks_uris', message: '`jwt_jwks_uris` and `jwt_source` are both set: Tyk Classic uses jwt_source and Tyk OAS jwt_jwks_uris; set only one' });
      return undefined;
    }
    const uris = def.jwt_jwks_uris.map((uri, index) => {
      if (uri.cache_timeout === '') return { url: uri.url, ttlSeconds: undefined };
      const seconds = goDurationSeconds(uri.cache_timeout);
      if (seconds === undefined) errors.push({ path: `jwt_jwks_uris[${index}].cache_timeout`, message: `Expected \`jwt_jwks_uris[${index}].cache_timeout\` to be a Go duration such as "30s" or "5m", got ${JSON.stringify(uri.cache_timeout)}` });
      return { url: uri.url, ttlSeconds: seconds !== undefined && seconds > 0 ? seconds : undefined };
    });
    return { kind: 'jwks', uris };
  }
  if (def.jwt_source === '') return { kind: 'session' };
  if (HTTP_SCHEME.test(def.jwt_source)) return { kind: 'jwks', uris: [{ url: def.jwt_source, ttlSeconds: undefined }] };
  const decoded = strictBase64(def.jwt_source);
  if (decoded === undefined) {
    errors.push({ path: 'jwt_source', message: '`jwt_source` must be a JWKS URL (http:// or https://), or base64 of a URL, an HMAC secret or a PEM public key or certificate; it is none of these' });
    return undefined;
  }
  const text = decoded.toString('utf8');
  if (HTTP_SCHEME.test(text)) return { kind: 'jwks', uris: [{ url: text, ttlSeconds: undefined }] };
  try {
    return { kind: 'static', key: verificationKeyOf(decoded, family) };
  } catch (err) {
    // The key itself never appears in the message.
    errors.push({ path: 'jwt_source', message: `\`jwt_source\` (base64) cannot verify ${family.toUpperCase()} tokens: ${err instanceof Error ? err.message : String(err)}` });
    return undefined;
  }
}

/**
 * Checks and decodes an API's JWT settings (tyk-config.md 1.1, 1.5). A key that does not parse,
 * or does not fit the signing method, is a load error naming the field; JWT features Hookgate
 * does not implement (scope-to-policy mappings) refuse the API.
 */
export function compileJwt(def: ApiDefinition): JwtCompileResult {
  const errors: Problem[] = [];
  const warnings: Problem[] = [];
  let family: JwtFamily = 'hmac';
  if (def.jwt_signing_method === '') {
    warnings.push({ path: 'jwt_signing_method', message: 'No signing method found in API Definition, defaulting to HMAC signature' });
  } else family = def.jwt_signing_method;
  const source = sourceOf(def, family, errors);
  const scopeMapping = (def.scopes['jwt'] as { scope_to_policy?: unknown } | undefined)?.scope_to_policy;
  if (Object.keys(def.jwt_scope_to_policy_mapping).length > 0) {
    errors.push({ path: 'jwt_scope_to_policy_mapping', message: '`jwt_scope_to_policy_mapping`: JWT scope-to-policy mapping is not supported by Hookgate yet; the API is refused rather than served without it' });
  }
  if (scopeMapping !== null && typeof scopeMapping === 'object' && Object.keys(scopeMapping).length > 0) {
    errors.push({ path: 'scopes.jwt.scope_to_policy', message: '`scopes.jwt.scope_to_policy`: JWT scope-to-policy mapping is not supported by Hookgate yet; the API is refused rather than served without it' });
  }
  if (source === undefined || errors.length > 0) return { settings: undefined, errors, warnings };
  return {
    settings: {
      family,
      algorithms: JWT_ALGORITHMS[family],
      source,
      identityBaseField: def.jwt_identity_base_field,
      policyFieldName: def.jwt_policy_field_name,
      clientBaseField: def.jwt_client_base_field,
      defaultPolicies: [...def.jwt_default_policies],
      skipKid: def.jwt_skip_kid,
      skew: { exp: def.jwt_expires_at_validation_skew, iat: def.jwt_issued_at_validation_skew, nbf: def.jwt_not_before_validation_skew },
      clientIdMapping: !def.idp_client_id_mapping_disabled,
      allowedIssuers: [...def.hookgate.jwt.allowed_issuers],
      allowedAudiences: [...def.hookgate.jwt.allowed_audiences],
    },
    errors,
    warnings,
  };
}
