import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { claimString, identityOf, issuerAudienceRefusal, timeRefusal } from '../../gateway/pipeline/auth/jwt/claims.js';

const NOW = 1_800_000_000;
const NO_SKEW = { exp: 0, iat: 0, nbf: 0 };
const messageOf = (claims: Record<string, unknown>, skew = NO_SKEW) => timeRefusal(claims, skew, NOW)?.message;

describe('JWT claims (Tyk getClaimValue, getUserIDFromClaim, timeValidateJWTClaims)', () => {
  it('claim values: a literal dotted key wins over the nested path; only non-empty strings count', () => {
    assert.equal(claimString({ 'user.id': 'literal', user: { id: 'nested' } }, 'user.id'), 'literal');
    assert.equal(claimString({ user: { id: 'nested' } }, 'user.id'), 'nested');
    assert.equal(claimString({ user: { id: 7 } }, 'user.id'), undefined);
    assert.equal(claimString({ pol: '' }, 'pol'), undefined);
  });

  it('identity: base field, else sub, with Tyk\'s errors', () => {
    assert.deepEqual(identityOf({ email: 'a@b', sub: 's' }, 'email'), { ok: true, id: 'a@b' });
    assert.deepEqual(identityOf({ sub: 's' }, 'email'), { ok: true, id: 's' }, 'a missing base field falls back to sub');
    const message = (claims: Record<string, unknown>, field: string) => {
      const result = identityOf(claims, field);
      return result.ok ? result.id : `${result.refusal.status} ${result.refusal.message}`;
    };
    assert.equal(message({ email: '', sub: 's' }, 'email'), '403 found an empty user ID in predefined base claim, claim: email');
    assert.equal(message({ a: { b: '' } }, 'a.b'), '403 found an empty user ID in predefined base claim, claim: a.b');
    assert.equal(message({ sub: '' }, ''), '403 found an empty user ID in sub claim');
    assert.equal(message({ sub: 5 }, ''), '403 no suitable claims for user ID were found');
  });

  it('time: exp strictly after now (whole seconds), iat and nbf at or before now, skews widen each', () => {
    assert.equal(messageOf({ exp: NOW + 1 }), undefined);
    assert.equal(messageOf({ exp: NOW + 0.9 }), 'Key not authorized: token has expired', 'fractions are truncated');
    assert.equal(messageOf({ exp: NOW }), 'Key not authorized: token has expired');
    assert.equal(messageOf({ exp: NOW - 10 }, { ...NO_SKEW, exp: 11 }), undefined);
    assert.equal(messageOf({ exp: NOW - 11 }, { ...NO_SKEW, exp: 11 }), 'Key not authorized: token has expired');
    assert.equal(messageOf({ iat: NOW, nbf: NOW }), undefined);
    assert.equal(messageOf({ iat: NOW + 1 }), 'Key not authorized: token used before issued');
    assert.equal(messageOf({ iat: NOW + 5 }, { ...NO_SKEW, iat: 5 }), undefined);
    assert.equal(messageOf({ nbf: NOW + 1 }), 'Key not authorized: token is not valid yet');
    assert.equal(messageOf({ nbf: NOW + 5 }, { ...NO_SKEW, nbf: 5 }), undefined);
    assert.equal(messageOf({ exp: 0, iat: 0, nbf: 0 }), undefined, 'zero means unset');
    assert.equal(messageOf({ exp: '1' }), 'Key not authorized: token has expired', 'a non-numeric claim fails');
    assert.equal(messageOf({ exp: NOW - 1, iat: NOW + 1 }), 'Key not authorized: token used before issued', 'the last failure answers');
    assert.equal(timeRefusal({ exp: NOW - 1 }, NO_SKEW, NOW)?.status, 401);
  });
});

describe('JWT issuer and audience (Tyk OAS validateIssuer, validateAudience)', () => {
  const message = (claims: Record<string, unknown>, iss: string[], aud: string[]) => issuerAudienceRefusal(claims, iss, aud)?.message;
  it('passes when nothing is configured, or a listed issuer and one listed audience are present', () => {
    assert.equal(message({}, [], []), undefined);
    assert.equal(message({ iss: 'a', aud: ['x', 'y'] }, ['a', 'b'], ['y']), undefined);
    assert.equal(message({ aud: 'y' }, [], ['y']), undefined);
  });
  it('refuses with Tyk\'s reasons', () => {
    assert.equal(message({}, ['a'], []), 'Key not authorized: issuer claim is required but not present in token');
    assert.equal(message({ iss: 7 }, ['a'], []), 'Key not authorized: issuer claim must be a string');
    assert.equal(message({ iss: 'z' }, ['a'], []), 'Key not authorized: invalid issuer claim: z');
    assert.equal(message({ iss: 'a' }, ['a'], ['y']), 'Key not authorized: audience claim is required but not present in token');
    assert.equal(message({ aud: 3 }, [], ['y']), 'Key not authorized: invalid audience claim format');
    assert.equal(message({ aud: ['p', 4, 'q'] }, [], ['y']), 'Key not authorized: no matching audience found in token: [p q]');
    assert.equal(issuerAudienceRefusal({ iss: 'z' }, ['a'], [])?.status, 401);
  });
});
