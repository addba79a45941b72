import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, it } from 'node:test';
import { compileJwt, goDurationSeconds, loadApiDocuments } from '../../gateway/apidef/index.js';
import { keylessApi } from '../helpers/apis.js';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const pem = (key: KeyObject) => key.export({ type: 'spki', format: 'pem' }).toString();
const b64 = (text: string) => Buffer.from(text).toString('base64');

const jwtApi = (fields: Record<string, unknown>) => ({ ...keylessApi('j', '/j/', 'http://up'), use_keyless: false, enable_jwt: true, ...fields });
const load = (fields: Record<string, unknown>) => loadApiDocuments([{ file: 'j.json', document: jwtApi(fields) }]);
const errorsOf = (fields: Record<string, unknown>) => load(fields).refused.flatMap((r) => r.errors.map((e) => `${e.path}: ${e.message}`));
const compile = (fields: Record<string, unknown>) => {
  const api = load(fields).apis[0];
  assert.ok(api, JSON.stringify(errorsOf(fields)));
  return compileJwt(api.definition);
};

describe('JWT settings at load (apidef/auth/jwt.ts)', () => {
  it('no signing method: HMAC with Tyk\'s warning; no source: one-to-one', () => {
    const result = compile({});
    assert.deepEqual(result.warnings.map((w) => w.message), ['No signing method found in API Definition, defaulting to HMAC signature']);
    assert.equal(result.settings?.family, 'hmac');
    assert.deepEqual(result.settings?.algorithms, ['HS256', 'HS384', 'HS512']);
    assert.equal(result.settings?.source.kind, 'session');
    assert.deepEqual(load({}).warnings.map((w) => w.problem.path), ['jwt_signing_method']);
  });

  it('decodes jwt_source: a URL, base64 of a URL, an HMAC secret, a PEM public key or certificate', () => {
    assert.deepEqual(compile({ jwt_signing_method: 'rsa', jwt_source: 'https://idp.example/jwks' }).settings?.source, { kind: 'jwks', uris: [{ url: 'https://idp.example/jwks', ttlSeconds: undefined }] });
    assert.deepEqual(compile({ jwt_signing_method: 'rsa', jwt_source: b64('http://idp/keys') }).settings?.source, { kind: 'jwks', uris: [{ url: 'http://idp/keys', ttlSeconds: undefined }] });
    const secret = compile({ jwt_signing_method: 'hmac', jwt_source: b64('s3cret') }).settings?.source;
    assert.equal(secret?.kind === 'static' && secret.key.type, 'secret');
    const key = compile({ jwt_signing_method: 'rsa', jwt_source: b64(pem(rsa.publicKey)) }).settings?.source;
    assert.equal(key?.kind === 'static' && key.key.asymmetricKeyType, 'rsa');
    const ecKey = compile({ jwt_signing_method: 'ecdsa', jwt_source: b64(pem(ec.publicKey)) }).settings?.source;
    assert.equal(ecKey?.kind === 'static' && ecKey.key.asymmetricKeyType, 'ec');
  });

  it('refuses a key that cannot verify the signing method, naming the field and never showing the key', () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ jwt_signing_method: 'rsa', jwt_source: b64(pem(ec.publicKey)) }, /^jwt_source: .*cannot verify RSA tokens: it is an EC key/],
      [{ jwt_signing_method: 'ecdsa', jwt_source: b64(pem(rsa.publicKey)) }, /^jwt_source: .*cannot verify ECDSA tokens: it is a RSA key/],
      [{ jwt_signing_method: 'hmac', jwt_source: b64(pem(rsa.publicKey)) }, /^jwt_source: .*must never be used as an HMAC secret/],
      [{ jwt_signing_method: 'rsa', jwt_source: b64(rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()) }, /^jwt_source: .*it is a private key/],
      [{ jwt_signing_method: 'rsa', jwt_source: b64('not a key') }, /^jwt_source: .*cannot verify RSA tokens/],
      [{ jwt_signing_method: 'rsa', jwt_source: 'not base64!' }, /^jwt_source: .*none of these/],
      [{ jwt_signing_method: 'rs256' }, /^jwt_signing_method: Expected `jwt_signing_method` to be one of "", "hmac", "rsa", "ecdsa"/],
      [{ jwt_jwks_uris: [{ url: 'http://a/jwks', cache_timeout: '5 minutes' }] }, /^jwt_jwks_uris\[0\]\.cache_timeout: .*Go duration/],
      [{ jwt_jwks_uris: [{ url: 'http://a/jwks' }], jwt_source: 'http://b/jwks' }, /^jwt_jwks_uris: .*set only one/],
      [{ jwt_scope_to_policy_mapping: { read: 'p1' } }, /^jwt_scope_to_policy_mapping: .*not supported/],
      [{ scopes: { jwt: { scope_to_policy: { read: 'p1' } } } }, /^scopes\.jwt\.scope_to_policy: .*not supported/],
      [{ auth_configs: { jwt: { disable_header: true } } }, /^auth_configs\.jwt: .*all auth sources are disabled for jwt/],
    ];
    for (const [fields, expected] of cases) {
      const errors = errorsOf(fields);
      assert.ok(errors.some((e) => expected.test(e)), `${expected} in ${JSON.stringify(errors)}`);
      assert.equal(errors.join('\n').includes('BEGIN'), false, 'key material never appears in an error');
    }
  });

  it('jwt_jwks_uris with cache timeouts (Go durations, floored to seconds; 0 means the default)', () => {
    const source = compile({ jwt_signing_method: 'rsa', jwt_jwks_uris: [{ url: 'http://a/jwks', cache_timeout: '1m30s' }, { url: 'http://b/jwks', cache_timeout: '500ms' }] }).settings?.source;
    assert.deepEqual(source, { kind: 'jwks', uris: [{ url: 'http://a/jwks', ttlSeconds: 90 }, { url: 'http://b/jwks', ttlSeconds: undefined }] });
    assert.equal(goDurationSeconds('1h'), 3600);
    assert.equal(goDurationSeconds('1.5s'), 1);
    assert.equal(goDurationSeconds('10'), undefined);
  });

  it('carries the claims settings', () => {
    const s = compile({ jwt_identity_base_field: 'user.id', jwt_policy_field_name: 'pol', jwt_client_base_field: 'azp', jwt_default_policies: ['a', 'b'], jwt_skip_kid: true, jwt_expires_at_validation_skew: 5, jwt_issued_at_validation_skew: 6, jwt_not_before_validation_skew: 7, idp_client_id_mapping_disabled: true, hookgate: { jwt: { allowed_issuers: ['https://idp'], allowed_audiences: ['api'] } } }).settings;
    assert.deepEqual(
      { ...s, source: undefined, family: undefined, algorithms: undefined },
      { identityBaseField: 'user.id', policyFieldName: 'pol', clientBaseField: 'azp', defaultPolicies: ['a', 'b'], skipKid: true, skew: { exp: 5, iat: 6, nbf: 7 }, clientIdMapping: false, allowedIssuers: ['https://idp'], allowedAudiences: ['api'], source: undefined, family: undefined, algorithms: undefined },
    );
  });
});
