import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { keylessApi } from '../helpers/apis.js';
import { SECRET } from '../helpers/control.js';
import { startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { request, tykError } from '../helpers/http.js';
import { ecKeys, now, publicJwk, rsaKeys, sign, startJwksServer, type JwksServer } from '../helpers/jwt.js';
import { startUpstream, type TestUpstream } from '../helpers/upstream.js';

const ORG = 'org1';
const first = rsaKeys();
const second = rsaKeys();
const ec = ecKeys();
const REFETCH_MS = 300;
const TTL_S = 1;
const STALE_MS = 1500;

describe('JWT with a JWKS (real IdP endpoint on 127.0.0.1): caching, rotation, failures', () => {
  let up: TestUpstream;
  let idp: JwksServer;
  let gw: GatewayProcess;
  let hanging: Server;
  before(async () => {
    up = await startUpstream();
    // An IdP that accepts the connection and never answers.
    hanging = createServer(() => undefined);
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    idp = await startJwksServer([await publicJwk(first.publicKey, 'k1', 'RS256'), await publicJwk(ec.publicKey, 'ec1')]);
    const api = (id: string, fields: Record<string, unknown>) => ({ ...keylessApi(id, `/${id}/`, up.origin), org_id: ORG, use_keyless: false, enable_jwt: true, jwt_signing_method: 'rsa', jwt_default_policies: ['open'], ...fields });
    gw = await startGatewayProcess({
      config: {
        secret: SECRET,
        policies: { policy_record_name: 'policies.json' },
        hookgate: { jwks: { min_refetch_interval_ms: REFETCH_MS, max_stale_ms: STALE_MS, fetch_timeout_ms: 1000 } },
      },
      files: { 'policies.json': { open: { org_id: ORG, rate: 1000, per: 1, access_rights: { idp: {}, hang: {} } } } },
      apis: {
        'idp.json': api('idp', { jwt_jwks_uris: [{ url: idp.url, cache_timeout: `${TTL_S}s` }] }),
        'hang.json': api('hang', { jwt_source: `http://127.0.0.1:${(hanging.address() as AddressInfo).port}/jwks` }),
      },
    });
  });
  after(async () => {
    await gw.stop();
    hanging.closeAllConnections();
    await new Promise((resolve) => hanging.close(resolve));
    await idp.close();
    await up.close();
  });
  const call = async (kid: string, key = first.privateKey, alg = 'RS256') =>
    request(gw.url('/idp/x'), { headers: { authorization: `Bearer ${await sign({ sub: 'alice', exp: now() + 600 }, alg, key, { kid })}` } });

  it('verifies with the key its kid names, fetching the JWKS once for many requests', async () => {
    const before = idp.fetches();
    const started = performance.now();
    for (let i = 0; i < 5; i++) assert.equal((await call('k1')).status, 200);
    // Once per TTL: five calls on a loaded machine can outlast the test's 1 s TTL.
    const ttls = 1 + Math.floor((performance.now() - started) / (TTL_S * 1000));
    assert.ok(idp.fetches() - before >= 1 && idp.fetches() - before <= Math.min(ttls, 4), `${idp.fetches() - before} fetches for 5 calls over ${ttls} TTL(s)`);
  });

  it('a kid of another family is the wrong signing method; a token without kid is refused', async () => {
    const res = await call('ec1', ec.privateKey, 'ES256');
    assert.equal(res.status, 403);
    assert.equal(res.text(), tykError('Key not authorized: Unexpected signing method'));
    const noKid = await request(gw.url('/idp/x'), { headers: { authorization: await sign({ sub: 'a' }, 'RS256', first.privateKey) } });
    assert.equal(noKid.status, 403);
    assert.equal(noKid.text(), tykError('Key not authorized'));
  });

  it('unknown kids cannot make the gateway hammer the IdP: at most one refetch per interval', async () => {
    await sleep(REFETCH_MS + 50);
    const before = idp.fetches();
    const started = performance.now();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => call(`made-up-${i}`)));
    // One refetch per started interval: a loaded machine may spread the 20 calls over several.
    const allowed = 1 + Math.floor((performance.now() - started) / REFETCH_MS);
    assert.ok(results.every((r) => r.status === 403 && r.text() === tykError('Key not authorized')));
    assert.ok(idp.fetches() - before <= Math.min(allowed, 19), `${idp.fetches() - before} fetches for 20 unknown kids (at most ${allowed} intervals)`);
  });

  it('rotation: a new kid is fetched at once; the old kid is refused once it left the set', async () => {
    idp.setKeys([await publicJwk(second.publicKey, 'k2', 'RS256')]);
    await sleep(REFETCH_MS + 50);
    assert.equal((await call('k2', second.privateKey)).status, 200, 'the new key is fetched on its first use');
    const old = await call('k1');
    assert.equal(old.status, 403, 'k1 is gone from the refreshed set');
  });

  it('the IdP failing: the last set is used for a bounded time past its TTL, then requests fail closed; recovery works', async () => {
    assert.equal((await call('k2', second.privateKey)).status, 200);
    idp.setStatus(500);
    await sleep(TTL_S * 1000 + 100);
    assert.equal((await call('k2', second.privateKey)).status, 200, 'stale keys while the IdP is down');
    await sleep(STALE_MS + 200);
    const closed = await call('k2', second.privateKey);
    assert.equal(closed.status, 403, 'too stale: fail closed');
    idp.setStatus(200);
    await sleep(REFETCH_MS + 50);
    assert.equal((await call('k2', second.privateKey)).status, 200, 'the IdP is back');
    assert.ok(gw.logs.some((l) => l.msg === 'JWKS fetch failed'), 'the failure is logged');
  });

  it('an IdP that never answers: the fetch times out (fetch_timeout_ms) and the request is refused, not held', async () => {
    const started = Date.now();
    const token = await sign({ sub: 'alice', exp: now() + 600 }, 'RS256', first.privateKey, { kid: 'k1' });
    const res = await request(gw.url('/hang/x'), { headers: { authorization: token } });
    assert.equal(res.status, 403);
    assert.equal(res.text(), tykError('Key not authorized'));
    const took = Date.now() - started;
    assert.ok(took >= 900 && took < 5000, `answered after ${took} ms`);
  });
});
