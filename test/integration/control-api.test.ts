import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { keylessApi } from '../helpers/apis.js';
import { control, keySession, SECRET } from '../helpers/control.js';
import { startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { request } from '../helpers/http.js';
import { startUpstream, type TestUpstream } from '../helpers/upstream.js';

const ORG = 'org1';
const tokenApi = (target: string) => ({ ...keylessApi('k', '/k/', target), org_id: ORG, use_keyless: false });

describe('control API: /tyk/keys and /tyk/reload', () => {
  let up: TestUpstream;
  let gw: GatewayProcess;
  before(async () => {
    up = await startUpstream();
    gw = await startGatewayProcess({ config: { secret: SECRET, hash_key_function: '' }, apis: { 'k.json': tokenApi(up.origin) } });
  });
  after(async () => {
    await gw.stop();
    await up.close();
  });
  const base = () => gw.url('');
  const keys = async () => ((await control(base(), 'GET', '/tyk/keys')).json() as { keys: string[] }).keys;

  it('refuses a missing, a wrong and an almost-right secret with 403', async () => {
    for (const secret of [null, 'wrong', `${SECRET}x`, SECRET.slice(0, -1), SECRET.toUpperCase()]) {
      const res = await control(base(), 'GET', '/tyk/keys', undefined, secret);
      assert.equal(res.status, 403, String(secret));
      assert.deepEqual(res.json(), { status: 'error', message: 'Attempted administrative access with invalid or missing key!' });
    }
  });

  it('POST /tyk/keys creates a key with a generated name that authenticates', async () => {
    const res = await control(base(), 'POST', '/tyk/keys', keySession('k', ORG, { rate: 10, per: 1 }));
    assert.equal(res.status, 200);
    const body = res.json() as { key: string; status: string; action: string };
    assert.equal(body.status, 'ok');
    assert.equal(body.action, 'added');
    assert.match(body.key, new RegExp(`^${ORG}[0-9a-f]{32}$`), 'legacy form: org + 32 hex digits');
    assert.equal(res.text().endsWith('}\n'), true, 'Go\'s encoder ends the body with a newline');
    assert.equal((await request(gw.url('/k/x'), { headers: { authorization: body.key } })).status, 200);
    assert.ok((await keys()).includes(body.key));
  });

  it('POST /tyk/keys/{key}, GET, PUT and DELETE work on a chosen name', async () => {
    const created = await control(base(), 'POST', '/tyk/keys/chosen-key', keySession('k', ORG, { rate: 10, per: 1, alias: 'first' }));
    assert.deepEqual(created.json(), { key: `${ORG}chosen-key`, status: 'ok', action: 'added' });
    const got = await control(base(), 'GET', `/tyk/keys/${ORG}chosen-key`);
    assert.equal(got.status, 200);
    assert.equal((got.json() as { alias: string }).alias, 'first');
    const updated = await control(base(), 'PUT', `/tyk/keys/${ORG}chosen-key`, keySession('k', ORG, { rate: 10, per: 1, alias: 'second', is_inactive: true }));
    assert.deepEqual(updated.json(), { key: `${ORG}chosen-key`, status: 'ok', action: 'modified' });
    assert.equal((await request(gw.url('/k/x'), { headers: { authorization: 'chosen-key' } })).status, 403, 'the update took effect');
    const deleted = await control(base(), 'DELETE', `/tyk/keys/${ORG}chosen-key`);
    assert.deepEqual(deleted.json(), { key: `${ORG}chosen-key`, status: 'ok', action: 'deleted' });
    assert.equal((await control(base(), 'GET', `/tyk/keys/${ORG}chosen-key`)).status, 404);
    assert.equal((await request(gw.url('/k/x'), { headers: { authorization: 'chosen-key' } })).status, 403);
  });

  it('answers 404 with Tyk\'s texts for keys that do not exist', async () => {
    assert.deepEqual((await control(base(), 'GET', '/tyk/keys/nope-nope')).json(), { status: 'error', message: 'Key not found' });
    assert.deepEqual((await control(base(), 'PUT', '/tyk/keys/nope-nope', keySession('k', ORG))).json(), { status: 'error', message: 'Key is not found' });
    assert.deepEqual((await control(base(), 'DELETE', '/tyk/keys/nope-nope')).json(), { status: 'error', message: 'There is no such key found' });
  });

  it('refuses malformed bodies with 400 and writes nothing', async () => {
    const before = await keys();
    for (const body of ['{not json', '[1,2]', '"a string"', '']) {
      const res = await control(base(), 'POST', '/tyk/keys/malformed-key', body);
      assert.equal(res.status, 400, body);
      assert.deepEqual(res.json(), { status: 'error', message: 'Request malformed' });
    }
    assert.deepEqual(await keys(), before);
    assert.equal((await control(base(), 'GET', `/tyk/keys/${ORG}malformed-key`)).status, 404);
  });

  it('refuses a key without access rights (allow_master_keys is off) and a too-short chosen name', async () => {
    const master = await control(base(), 'POST', '/tyk/keys', { org_id: ORG, rate: 1, per: 1 });
    assert.equal(master.status, 500);
    assert.deepEqual(master.json(), { status: 'error', message: 'Failed to create key, ensure security settings are correct.' });
    const short = await control(base(), 'POST', '/tyk/keys/ab', keySession('k', ORG));
    assert.equal(short.status, 400);
    assert.match((short.json() as { message: string }).message, /custom key ID length 2 is less than min_token_length \(3\)/);
  });

  it('answers 405 for a wrong method and Go\'s 404 for an unknown route', async () => {
    assert.deepEqual((await control(base(), 'PATCH', '/tyk/keys')).json(), { status: 'error', message: 'Method not supported' });
    assert.deepEqual((await control(base(), 'POST', '/tyk/reload')).json(), { status: 'error', message: 'Method not supported' });
    const unknown = await control(base(), 'GET', '/tyk/nothing-here');
    assert.equal(unknown.status, 404);
    assert.equal(unknown.text(), '404 page not found\n');
  });

  it('/tyk/reload?block=true picks up a new API definition, and /tyk/reload/group answers ok', async () => {
    assert.equal((await request(gw.url('/new/x'))).status, 404);
    await gw.dir.write('apps/new.json', keylessApi('new', '/new/', up.origin));
    const reloaded = await control(base(), 'GET', '/tyk/reload?block=true');
    assert.deepEqual(reloaded.json(), { status: 'ok', message: '' });
    assert.equal((await request(gw.url('/new/x'))).status, 200);
    assert.deepEqual((await control(base(), 'GET', '/tyk/reload/group')).json(), { status: 'ok', message: '' });
  });
});

describe('control API placement', () => {
  it('is closed without a secret', async () => {
    const gw = await startGatewayProcess({ config: { secret: '' } });
    try {
      assert.equal((await control(gw.url(''), 'GET', '/tyk/keys', undefined, '')).status, 403);
      assert.equal((await control(gw.url(''), 'GET', '/tyk/keys', undefined, null)).status, 403);
    } finally {
      await gw.stop();
    }
  });

  it('listens on control_api_port of its own, and not on the gateway port', async () => {
    const up = await startUpstream();
    const gw = await startGatewayProcess({ config: { secret: SECRET, control_api_port: 0 }, apis: { 'k.json': tokenApi(up.origin) } });
    await gw.stop();
    // Port 0 means "share the listener"; pick a real free port for a separate control listener.
    const { freePort } = await import('../helpers/ports.js');
    const port = await freePort();
    const own = await startGatewayProcess({ config: { secret: SECRET, control_api_port: port }, apis: { 'k.json': tokenApi(up.origin) } });
    try {
      const listening = own.logs.find((l) => l.msg === 'gateway listening');
      assert.equal(listening?.['control_port'], port);
      assert.equal((await control(`http://127.0.0.1:${port}`, 'GET', '/tyk/keys')).status, 200);
      assert.equal((await control(own.url(''), 'GET', '/tyk/keys')).status, 404, 'not on the gateway port');
      assert.equal((await request(`http://127.0.0.1:${port}/k/x`)).status, 404, 'the control port serves no API');
      assert.equal((await request(`http://127.0.0.1:${port}/hello`)).status, 200);
    } finally {
      await own.stop();
      await up.close();
    }
  });
});
