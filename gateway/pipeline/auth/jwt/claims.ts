import { ERRORS, type ErrorCode } from '../../../errors/index.js';
import { messageRefusal, refusalOf, type Refusal } from '../../refusal.js';

export type Claims = Record<string, unknown>;

/**
 * Tyk's getClaimValue: a non-empty string claim, by its literal name first (a key may contain
 * dots), then, for a dotted name, by walking nested objects.
 */
export function claimString(claims: Claims, field: string): string | undefined {
  const literal = claims[field];
  if (typeof literal === 'string' && literal !== '') return literal;
  if (!field.includes('.')) return undefined;
  const nested = nestedClaim(claims, field);
  return typeof nested === 'string' && nested !== '' ? nested : undefined;
}

function nestedClaim(claims: Claims, field: string): unknown {
  let current: unknown = claims;
  for (const part of field.split('.')) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    current = (current as Claims)[part];
  }
  return current;
}

export type Identity = { readonly ok: true; readonly id: string } | { readonly ok: false; readonly refusal: Refusal };

/**
 * Tyk's getUserIDFromClaim (Classic): the `jwt_identity_base_field` claim (an empty one is an
 * error), else a non-empty `sub`; 403 with Tyk's texts otherwise.
 */
export function identityOf(claims: Claims, baseField: string): Identity {
  if (baseField !== '') {
    const found = claimString(claims, baseField);
    if (found !== undefined) return { ok: true, id: found };
    if (claims[baseField] === '' || (baseField.includes('.') && nestedClaim(claims, baseField) === '')) {
      return { ok: false, refusal: messageRefusal(403, `${ERRORS.HG_ERR_JWT_EMPTY_IDENTITY_CLAIM.message}, claim: ${baseField}`) };
    }
  }
  const sub = claims['sub'];
  if (typeof sub === 'string') return sub !== '' ? { ok: true, id: sub } : { ok: false, refusal: refusalOf('HG_ERR_JWT_EMPTY_SUB') };
  return { ok: false, refusal: refusalOf('HG_ERR_JWT_NO_IDENTITY') };
}

/**
 * Tyk's timeValidateJWTClaims: `exp` must be after now − skew, `iat` and `nbf` at or before now
 * + skew, in whole seconds; a missing or zero claim passes, a non-numeric one fails. When several
 * fail, the last in the order exp, iat, nbf answers (401, no AuthFailure).
 */
export function timeRefusal(claims: Claims, skew: { readonly exp: number; readonly iat: number; readonly nbf: number }, nowSeconds: number): Refusal | undefined {
  let failed: ErrorCode | undefined;
  const seconds = (name: string): number | undefined | 'invalid' => {
    if (!(name in claims)) return undefined;
    const value = claims[name];
    if (typeof value !== 'number' || !Number.isFinite(value)) return 'invalid';
    return value === 0 ? undefined : Math.trunc(value);
  };
  const exp = seconds('exp');
  if (exp === 'invalid' || (exp !== undefined && !(nowSeconds - skew.exp < exp))) failed = 'HG_ERR_JWT_EXPIRED';
  const iat = seconds('iat');
  if (iat === 'invalid' || (iat !== undefined && iat > nowSeconds + skew.iat)) failed = 'HG_ERR_JWT_USED_BEFORE_ISSUED';
  const nbf = seconds('nbf');
  if (nbf === 'invalid' || (nbf !== undefined && nbf > nowSeconds + skew.nbf)) failed = 'HG_ERR_JWT_NOT_VALID_YET';
  return failed === undefined ? undefined : refusalOf(failed);
}

/**
 * Tyk OAS's issuer and audience checks (validateExtraClaims), after the time claims: `iss` must be
 * a string among the allowed issuers, and one of the `aud` strings (a string or an array) among
 * the allowed audiences. 401 `Key not authorized: <Tyk's reason>`, no AuthFailure, as for time.
 */
export function issuerAudienceRefusal(claims: Claims, allowedIssuers: readonly string[], allowedAudiences: readonly string[]): Refusal | undefined {
  const refuse = (reason: string) => messageRefusal(401, `Key not authorized: ${reason}`);
  if (allowedIssuers.length > 0) {
    if (!('iss' in claims)) return refuse('issuer claim is required but not present in token');
    const iss = claims['iss'];
    if (typeof iss !== 'string') return refuse('issuer claim must be a string');
    if (!allowedIssuers.includes(iss)) return refuse(`invalid issuer claim: ${iss}`);
  }
  if (allowedAudiences.length > 0) {
    if (!('aud' in claims)) return refuse('audience claim is required but not present in token');
    const aud = claims['aud'];
    let audiences: string[];
    if (typeof aud === 'string') audiences = [aud];
    else if (Array.isArray(aud)) audiences = aud.filter((a): a is string => typeof a === 'string');
    else return refuse('invalid audience claim format');
    // Go prints a []string as [a b].
    if (!audiences.some((a) => allowedAudiences.includes(a))) return refuse(`no matching audience found in token: [${audiences.join(' ')}]`);
  }
  return undefined;
}
