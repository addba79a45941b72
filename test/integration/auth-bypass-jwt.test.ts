import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { useBypassBed, nothingLoggedAfterShutdown } from '../helpers/bypass.js';
import { control, keySession, SECRET } from '../helpers/control.js';
import { b64, claims, ecKeys, jwtApi, now, publicJwk, rsaKeys, sign, spki, startJwksServer, unsigned, type JwksServer } from '../helpers/jwt.js';
import { oasApi, SCHEMES } from '../helpers/oas.js';

/**
 * Auth bypass corpus, JWT: each forged, stale or misdirected token is refused with Tyk's status
 * and text, reaches nothing, and leaves no trace of itself in the gateway's output.
 */
const ORG = 'org1';
const HS_SECRET = 'bypass-jwt-hmac-secret-0123456789';
const ALICE_SECRET = 'alice-one-to-one-secret-7f3a9c';
const VICTIM_SECRET = 'victim-one-to-one-secret-b81e44';
const ISSUER = 'https://idp.bypass.test';
const AUDIENCE = 'api://bypass';
const rsa = rsaKeys();
const otherRsa = rsaKeys();
const ec = ecKeys();
const IDS = ['rs', 'hs', 'jwks', 'o2o', 'claims'];

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('auth bypass corpus: JWT', () => {
  let idp: JwksServer;
  let n = 0;
  const path = (api: string) => `/${api}/attempt-${++n}`;
  before(async () => {
    idp = await startJwksServer([await publicJwk(rsa.publicKey, 'k1', 'RS256'), await publicJwk(otherRsa.publicKey, 'k2', 'RS256'), await publicJwk(ec.publicKey, 'ec1', 'ES256')]);
  });
  after(() => idp?.close());
  const handle = useBypassBed((up) => ({
    redis: true,
    config: { secret: SECRET, policies: { policy_record_name: 'policies.json' } },
    files: { 'policies.json': { open: { org_id: ORG, rate: 1000, per: 1, access_rights: Object.fromEntries(IDS.map((id) => [id, {}])) } } },
    apis: {
      'rs.json': jwtApi('rs', up.origin, { jwt_signing_method: 'rsa', jwt_source: b64(spki(rsa.publicKey)) }),
      'hs.json': jwtApi('hs', up.origin, { jwt_signing_method: 'hmac', jwt_source: b64(HS_SECRET) }),
      'jwks.json': jwtApi('jwks', up.origin, { jwt_signing_method: 'rsa', jwt_jwks_uris: [{ url: idp.url, cache_timeout: '5m' }] }),
      'o2o.json': jwtApi('o2o', up.origin, { jwt_signing_method: 'hmac' }),
      // Tyk OAS is where Tyk has issuer and audience checks (allowedIssuers, allowedAudiences).
      'claims.json': oasApi('claims', '/claims/', up.origin, {
        orgId: ORG,
        components: { jwt_auth: SCHEMES.jwt_auth },
        security: [{ jwt_auth: [] }],
        authentication: {
          securitySchemes: {
            jwt_auth: { enabled: true, signingMethod: 'hmac', source: b64(HS_SECRET), defaultPolicies: ['open'], allowedIssuers: [ISSUER], allowedAudiences: [AUDIENCE, 'api://other'] },
          },
        },
      }),
    },
  }));
  const bed = () => handle.bed;
  let keys: Promise<void> | undefined;
  /** One-to-one keys: alice (the attacker's own) and victim, each with its own secret; a token key with none. */
  const oneToOneKeys = () =>
    (keys ??= (async () => {
      for (const [name, fields] of [['alice-kid', { jwt_data: { secret: ALICE_SECRET } }], ['victim-kid', { jwt_data: { secret: VICTIM_SECRET } }], ['plain-token-key', {}]] as const) {
        const res = await control(bed().gw.url(''), 'POST', `/tyk/keys/${name}`, keySession('o2o', ORG, fields));
        assert.equal(res.status, 200, res.text());
      }
    })());

  it('control: a valid token of each API passes (so the refusals below are the attacks\' doing)', async (t) => {
    if (handle.skip(t)) return;
    await oneToOneKeys();
    for (const [api, token] of [
      ['rs', await sign(claims(), 'RS256', rsa.privateKey)],
      ['hs', await sign(claims(), 'HS256', HS_SECRET)],
      ['jwks', await sign(claims(), 'RS256', rsa.privateKey, { kid: 'k1' })],
      ['o2o', await sign(claims(), 'HS256', ALICE_SECRET, { kid: 'alice-kid' })],
      ['claims', await sign(claims({ iss: ISSUER, aud: [AUDIENCE] }), 'HS256', HS_SECRET)],
    ] as const) {
      const res = await bed().send({ path: path(api), headers: bearer(token) });
      assert.equal(res.status, 200, `${api}: ${res.text()}`);
    }
  });

  it('alg "none" (unsigned token) on an RSA API: 403 Key not authorized: Unexpected signing method', async (t) => {
    if (handle.skip(t)) return;
    const token = unsigned(claims());
    await bed().refused({ path: path('rs'), headers: bearer(token), secrets: [token], status: 403, error: 'Key not authorized: Unexpected signing method' });
  });

  it('alg "none" on an HMAC API: 403 Key not authorized: Unexpected signing method', async (t) => {
    if (handle.skip(t)) return;
    const token = unsigned(claims());
    await bed().refused({ path: path('hs'), headers: bearer(token), secrets: [token], status: 403, error: 'Key not authorized: Unexpected signing method' });
  });

  it('HS/RS key confusion: HS256 signed with the API\'s RSA public key PEM as the secret: 403 Unexpected signing method', async (t) => {
    if (handle.skip(t)) return;
    const token = await sign(claims(), 'HS256', spki(rsa.publicKey));
    await bed().refused({ path: path('rs'), headers: bearer(token), secrets: [token], status: 403, error: 'Key not authorized: Unexpected signing method' });
  });

  it('expired token (exp 60 s ago): 401 Key not authorized: token has expired', async (t) => {
    if (handle.skip(t)) return;
    const token = await sign(claims({ exp: now() - 60 }), 'RS256', rsa.privateKey);
    await bed().refused({ path: path('rs'), headers: bearer(token), secrets: [token], status: 401, error: 'Key not authorized: token has expired' });
  });

  it('not yet valid (nbf in 10 minutes): 401 Key not authorized: token is not valid yet', async (t) => {
    if (handle.skip(t)) return;
    const token = await sign(claims({ nbf: now() + 600 }), 'HS256', HS_SECRET);
    await bed().refused({ path: path('hs'), headers: bearer(token), secrets: [token], status: 401, error: 'Key not authorized: token is not valid yet' });
  });

  it('wrong issuer (OAS allowedIssuers): 401 Key not authorized: invalid issuer claim: <iss>', async (t) => {
    if (handle.skip(t)) return;
    const token = await sign(claims({ iss: 'https://evil.test', aud: AUDIENCE }), 'HS256', HS_SECRET);
    await bed().refused({ path: path('claims'), headers: bearer(token), secrets: [token], status: 401, error: 'Key not authorized: invalid issuer claim: https://evil.test' });
  });

  it('no issuer where one is required: 401 Key not authorized: issuer claim is required but not present in token', async (t) => {
    if (handle.skip(t)) return;
    const token = await sign(claims({ aud: AUDIENCE }), 'HS256', HS_SECRET);
    await bed().refused({ path: path('claims'), headers: bearer(token), secrets: [token], status: 401, error: 'Key not authorized: issuer claim is required but not present in token' });
  });

  it('wrong audience (OAS allowedAudiences): 401 Key not authorized: no matching audience found in token: [..]', async (t) => {
    if (handle.skip(t)) return;
    const token = await sign(claims({ iss: ISSUER, aud: ['api://evil', 'api://bypass2'] }), 'HS256', HS_SECRET);
    await bed().refused({ path: path('claims'), headers: bearer(token), secrets: [token], status: 401, error: 'Key not authorized: no matching audience found in token: [api://evil api://bypass2]' });
  });

  it('kid unknown to the JWKS: 403 Key not authorized', async (t) => {
    if (handle.skip(t)) return;
    const token = await sign(claims(), 'RS256', rsa.privateKey, { kid: 'no-such-kid' });
    await bed().refused({ path: path('jwks'), headers: bearer(token), secrets: [token], status: 403, error: 'Key not authorized' });
  });

  it('kid naming another RSA key of the JWKS than the one that signed: 403 Key not authorized', async (t) => {
    if (handle.skip(t)) return;
    const token = await sign(claims(), 'RS256', rsa.privateKey, { kid: 'k2' });
    await bed().refused({ path: path('jwks'), headers: bearer(token), secrets: [token], status: 403, error: 'Key not authorized' });
  });

  it('kid naming a key of another type (the EC key) on an RSA API: 403 Key not authorized: Unexpected signing method', async (t) => {
    if (handle.skip(t)) return;
    const token = await sign(claims(), 'RS256', rsa.privateKey, { kid: 'ec1' });
    await bed().refused({ path: path('jwks'), headers: bearer(token), secrets: [token], status: 403, error: 'Key not authorized: Unexpected signing method' });
  });

  it('kid with path traversal, SQL and log-injection characters, a URL: each 403 Key not authorized, no forged log line', async (t) => {
    if (handle.skip(t)) return;
    const kids = ['../../../../etc/passwd', 'k1/../k2', "k1' OR '1'='1", 'k1\u0000', 'k1\n{"level":60,"msg":"INJECTED"}', `${idp.url}?kid=k1`, 'k1%2f..%2fk2', '*'];
    for (const kid of kids) {
      const token = await sign(claims(), 'RS256', rsa.privateKey, { kid });
      await bed().refused({ path: path('jwks'), headers: bearer(token), secrets: [token], status: 403, error: 'Key not authorized' });
    }
    // Every line the gateway wrote is one JSON object: a kid cannot start a line of its own.
    for (const line of bed().gw.stdout().split('\n').filter((l) => l.trim() !== '')) assert.doesNotThrow(() => JSON.parse(line), line);
    assert.equal(bed().gw.logs.some((l) => l.msg === 'INJECTED'), false);
  });

  it('one-to-one: kid naming another user\'s key, signed with the attacker\'s own secret: 403 Key not authorized', async (t) => {
    if (handle.skip(t)) return;
    await oneToOneKeys();
    const token = await sign(claims(), 'HS256', ALICE_SECRET, { kid: 'victim-kid' });
    await bed().refused({ path: path('o2o'), headers: bearer(token), secrets: [token, ALICE_SECRET, VICTIM_SECRET], status: 403, error: 'Key not authorized' });
  });

  it('one-to-one: kid naming a key that has no JWT secret (an auth-token key), signed with an empty secret: 403 Key not authorized', async (t) => {
    if (handle.skip(t)) return;
    await oneToOneKeys();
    const token = await sign(claims(), 'HS256', 'x', { kid: 'plain-token-key' });
    await bed().refused({ path: path('o2o'), headers: bearer(token), secrets: [token], status: 403, error: 'Key not authorized' });
  });

  it('one-to-one: kid with path traversal toward a stored key name: 403 Key not authorized', async (t) => {
    if (handle.skip(t)) return;
    await oneToOneKeys();
    for (const kid of ['../org1alice-kid', 'apikey-org1alice-kid', 'alice-kid/../victim-kid', 'ALICE-KID']) {
      const token = await sign(claims(), 'HS256', ALICE_SECRET, { kid });
      await bed().refused({ path: path('o2o'), headers: bearer(token), secrets: [token, ALICE_SECRET], status: 403, error: 'Key not authorized' });
    }
  });

  nothingLoggedAfterShutdown(handle);
});
