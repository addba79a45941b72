import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CompactSign } from 'jose';
import { SECRET } from '../helpers/control.js';
import { startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { request, tykError } from '../helpers/http.js';
import { b64, claims, ecKeys, jwtApi, now, rsaKeys, sign, spki, tamper, unsigned } from '../helpers/jwt.js';
import { startUpstream, type TestUpstream } from '../helpers/upstream.js';

const ORG = 'org1';
const HMAC_SECRET = 'a-shared-hmac-secret-of-32-bytes!';
const rsa = rsaKeys();
const otherRsa = rsaKeys();
const ec = ecKeys();
const ec384 = ecKeys('P-384');


describe('JWT auth: signatures, algorithms and time claims (centralised, keys in the API definition)', () => {
  let up: TestUpstream;
  let gw: GatewayProcess;
  before(async () => {
    up = await startUpstream();
    gw = await startGatewayProcess({
      config: { secret: SECRET, policies: { policy_record_name: 'policies.json' } },
      files: { 'policies.json': { open: { org_id: ORG, rate: 1000, per: 1, access_rights: Object.fromEntries(['hs', 'rs', 'es', 'es384', 'skew'].map((id) => [id, {}])) } } },
      apis: {
        'hs.json': jwtApi('hs', up.origin, { jwt_signing_method: 'hmac', jwt_source: b64(HMAC_SECRET) }),
        'rs.json': jwtApi('rs', up.origin, { jwt_signing_method: 'rsa', jwt_source: b64(spki(rsa.publicKey)) }),
        'es.json': jwtApi('es', up.origin, { jwt_signing_method: 'ecdsa', jwt_source: b64(spki(ec.publicKey)) }),
        'es384.json': jwtApi('es384', up.origin, { jwt_signing_method: 'ecdsa', jwt_source: b64(spki(ec384.publicKey)) }),
        'skew.json': jwtApi('skew', up.origin, {
          jwt_signing_method: 'hmac', jwt_source: b64(HMAC_SECRET),
          jwt_expires_at_validation_skew: 30, jwt_issued_at_validation_skew: 30, jwt_not_before_validation_skew: 30,
        }),
      },
    });
  });
  after(async () => {
    await gw.stop();
    await up.close();
  });
  const call = (api: string, token: string | undefined) => request(gw.url(`/${api}/x`), { headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
  const expect = async (api: string, token: string | undefined, status: number, message?: string) => {
    const res = await call(api, token);
    assert.equal(res.status, status, `${api}: ${res.text()}`);
    if (message !== undefined) assert.equal(res.text(), tykError(message));
  };

  it('accepts each algorithm of the API\'s family: HS256/384/512, RS256/384/512 and PS256, ES256/384 (ES384 only with a P-384 key)', async () => {
    for (const alg of ['HS256', 'HS384', 'HS512']) await expect('hs', await sign(claims(), alg, HMAC_SECRET), 200);
    for (const alg of ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512']) await expect('rs', await sign(claims(), alg, rsa.privateKey), 200);
    await expect('es', await sign(claims(), 'ES256', ec.privateKey), 200);
    await expect('es384', await sign(claims(), 'ES384', ec384.privateKey), 200);
    await expect('es', await sign(claims(), 'ES384', ec384.privateKey), 403, 'Key not authorized');
    // A token without "Bearer " works too (Tyk strips it only when present).
    assert.equal((await request(gw.url('/hs/x'), { headers: { authorization: await sign(claims(), 'HS256', HMAC_SECRET) } })).status, 200);
  });

  it('missing token: 400 Authorization field missing (Tyk\'s status for JWT)', async () => {
    await expect('hs', undefined, 400, 'Authorization field missing');
  });

  it('refuses alg "none" and algorithms of another family with 403 Unexpected signing method', async () => {
    for (const api of ['hs', 'rs', 'es']) await expect(api, unsigned(claims()), 403, 'Key not authorized: Unexpected signing method');
    await expect('hs', await sign(claims(), 'RS256', rsa.privateKey), 403, 'Key not authorized: Unexpected signing method');
    await expect('rs', await sign(claims(), 'ES256', ec.privateKey), 403, 'Key not authorized: Unexpected signing method');
    await expect('es', await sign(claims(), 'HS256', HMAC_SECRET), 403, 'Key not authorized: Unexpected signing method');
  });

  it('the HS/RS confusion attack fails: a token HMAC-signed with the RSA public key PEM as secret', async () => {
    const pemSecret = spki(rsa.publicKey);
    await expect('rs', await sign(claims(), 'HS256', pemSecret), 403, 'Key not authorized: Unexpected signing method');
    const forged = await sign(claims(), 'HS256', b64(pemSecret));
    await expect('rs', forged, 403, 'Key not authorized: Unexpected signing method');
  });

  it('refuses a wrong key, a tampered payload, garbage and an unknown alg with 403 Key not authorized', async () => {
    await expect('rs', await sign(claims(), 'RS256', otherRsa.privateKey), 403, 'Key not authorized');
    await expect('hs', await sign(claims(), 'HS256', 'another-secret'), 403, 'Key not authorized');
    const good = await sign(claims(), 'RS256', rsa.privateKey);
    await expect('rs', good, 200);
    await expect('rs', tamper(good, claims({ sub: 'mallory' })), 403, 'Key not authorized');
    await expect('hs', 'not.a.jwt', 403, 'Key not authorized');
    await expect('hs', 'abc', 403, 'Key not authorized');
    const unknownAlg = `${Buffer.from('{"alg":"HS999"}').toString('base64url')}.${Buffer.from('{}').toString('base64url')}.x`;
    await expect('hs', unknownAlg, 403, 'Key not authorized');
    const arrayPayload = await new CompactSign(new TextEncoder().encode('["not","claims"]')).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(HMAC_SECRET));
    await expect('hs', arrayPayload, 403, 'Key not authorized');
  });

  it('time claims: expired, used before issued, not valid yet, with Tyk\'s 401 texts; the last failing one answers', async () => {
    await expect('hs', await sign(claims({ exp: now() - 5 }), 'HS256', HMAC_SECRET), 401, 'Key not authorized: token has expired');
    await expect('hs', await sign(claims({ exp: now() }), 'HS256', HMAC_SECRET), 401, 'Key not authorized: token has expired');
    await expect('hs', await sign(claims({ iat: now() + 60 }), 'HS256', HMAC_SECRET), 401, 'Key not authorized: token used before issued');
    await expect('hs', await sign(claims({ nbf: now() + 60 }), 'HS256', HMAC_SECRET), 401, 'Key not authorized: token is not valid yet');
    await expect('hs', await sign(claims({ exp: now() - 5, nbf: now() + 60 }), 'HS256', HMAC_SECRET), 401, 'Key not authorized: token is not valid yet');
    await expect('hs', await sign(claims({ exp: 'tomorrow' }), 'HS256', HMAC_SECRET), 401, 'Key not authorized: token has expired');
    await expect('hs', await sign({ sub: 'alice' }, 'HS256', HMAC_SECRET), 200, undefined);
    await expect('hs', await sign(claims({ iat: now(), nbf: now() }), 'HS256', HMAC_SECRET), 200);
  });

  it('skews: a token within the grace passes, one just beyond it does not', async () => {
    await expect('skew', await sign(claims({ exp: now() - 25 }), 'HS256', HMAC_SECRET), 200);
    await expect('skew', await sign(claims({ exp: now() - 32 }), 'HS256', HMAC_SECRET), 401, 'Key not authorized: token has expired');
    await expect('skew', await sign(claims({ iat: now() + 25, nbf: now() + 25 }), 'HS256', HMAC_SECRET), 200);
    await expect('skew', await sign(claims({ iat: now() + 35 }), 'HS256', HMAC_SECRET), 401, 'Key not authorized: token used before issued');
    await expect('skew', await sign(claims({ nbf: now() + 35 }), 'HS256', HMAC_SECRET), 401, 'Key not authorized: token is not valid yet');
  });

  it('never logs a token or key', () => {
    const logged = JSON.stringify(gw.logs);
    assert.equal(logged.includes(HMAC_SECRET), false);
    assert.equal(logged.includes(b64(HMAC_SECRET)), false);
    assert.equal(/eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}/.test(logged), false, 'no JWT in the logs');
  });
});
