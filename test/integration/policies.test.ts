import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { keylessApi } from '../helpers/apis.js';
import { control, keySession, SECRET } from '../helpers/control.js';
import { startStoreGateway, type StoreGateway } from '../helpers/store-gateway.js';
import { runCli, type GatewayProcess } from '../helpers/gateway-process.js';
import { request, tykError } from '../helpers/http.js';
import { tempDir } from '../helpers/tmp.js';

const ORG = 'org1';
const tokenApi = (id: string, listen: string, target: string) => ({ ...keylessApi(id, listen, target), org_id: ORG, use_keyless: false });
const gold = (rate: number) => ({ id: 'gold', org_id: ORG, rate, per: 60, access_rights: { k: { versions: ['Default'] } } });
const burst = async (gw: GatewayProcess, key: string, n: number) => {
  const statuses: number[] = [];
  for (let i = 0; i < n; i++) statuses.push((await request(gw.url('/k/x'), { headers: { authorization: key } })).status);
  return statuses;
};

for (const backend of ['memory', 'redis'] as const) {
  describe(`policies from files (${backend} store)`, () => {
    let fixture: StoreGateway;
    let gw: GatewayProcess;

    before(async () => {
      fixture = await startStoreGateway(backend, (up) => ({
        config: { secret: SECRET, policies: { policy_source: 'file', policy_path: 'policies' } },
        apis: { 'k.json': tokenApi('k', '/k/', up.origin), 'other.json': tokenApi('other', '/other/', up.origin) },
        files: {
          'policies/gold.json': gold(2),
          'policies/temp.json': { id: 'temp', org_id: ORG, key_expires_in: 3600, access_rights: { k: {} } },
          'policies/per-api.json': { id: 'per-api', org_id: ORG, partitions: { per_api: true }, access_rights: { k: { limit: { rate: 1, per: 60 } }, other: { limit: { rate: 3, per: 60 } } } },
        },
      }));
      gw = fixture.gw;
    });
    after(() => fixture.stop());
    const skip = (t: { skip: (m: string) => void }) => fixture.skip(t);
    const createKey = async (name: string, fields: Record<string, unknown>) => {
      const res = await control(gw.url(''), 'POST', `/tyk/keys/${name}`, keySession('k', ORG, fields));
      assert.equal(res.status, 200, res.text());
    };

    it('a key naming a policy gets the policy\'s rate limit, not its own', async (t) => {
      if (skip(t)) return;
      await createKey('gold-key-1', { apply_policies: ['gold'], rate: 1000, per: 1 });
      assert.deepEqual(await burst(gw, 'gold-key-1', 3), [200, 200, 429]);
    });

    it('a key naming only policies gets their access rights and key_expires_in; one whose policy is gone is not found (403)', async (t) => {
      if (skip(t)) return;
      const created = await control(gw.url(''), 'POST', '/tyk/keys/temp-key-1', { org_id: ORG, apply_policies: ['temp'] });
      assert.equal(created.status, 200, created.text());
      const stored = (await control(gw.url(''), 'GET', `/tyk/keys/${ORG}temp-key-1`)).json() as { access_rights?: object; expires?: number };
      assert.deepEqual(Object.keys(stored.access_rights ?? {}), ['k']);
      assert.ok(Math.abs((stored.expires ?? 0) - (Date.now() / 1000 + 3600)) < 60, 'expires from key_expires_in');
      assert.equal((await request(gw.url('/k/x'), { headers: { authorization: 'temp-key-1' } })).status, 200);
      const missing = await control(gw.url(''), 'POST', '/tyk/keys/lost-key-1', { org_id: ORG, apply_policies: ['platinum'] });
      assert.equal(missing.status, 500);
      assert.match(missing.text(), /Failed to create key, ensure security settings are correct\./);

      await rm(join(gw.dir.path, 'policies/temp.json'));
      assert.equal((await control(gw.url(''), 'GET', '/tyk/reload?block=true')).status, 200);
      const res = await request(gw.url('/k/x'), { headers: { authorization: 'temp-key-1' } });
      assert.equal(res.status, 403);
      assert.equal(res.text(), tykError('Access to this API has been disallowed'));
    });

    it('a per-API policy gives each API its own limit and its own counter', async (t) => {
      if (skip(t)) return;
      await createKey('per-api-key', { apply_policies: ['per-api'] });
      assert.deepEqual(await burst(gw, 'per-api-key', 2), [200, 429]);
      const other: number[] = [];
      for (let i = 0; i < 4; i++) other.push((await request(gw.url('/other/x'), { headers: { authorization: 'per-api-key' } })).status);
      assert.deepEqual(other, [200, 200, 200, 429], 'API "other" counts on its own: 3 per minute');
    });

    it('a reload picks up a changed policy; a reload with a bad policy is refused and changes nothing', async (t) => {
      if (skip(t)) return;
      await gw.dir.write('policies/gold.json', gold(4));
      assert.equal((await control(gw.url(''), 'GET', '/tyk/reload?block=true')).status, 200);
      await createKey('gold-key-2', { apply_policies: ['gold'] });
      assert.deepEqual(await burst(gw, 'gold-key-2', 5), [200, 200, 200, 200, 429]);

      await gw.dir.write('policies/gold.json', { ...gold(8), access_rights: { k: { allowed_urls: [{ url: '/x', methods: ['GET'] }] } } });
      const refused = await control(gw.url(''), 'GET', '/tyk/reload?block=true');
      assert.equal(refused.status, 500);
      assert.match(refused.text(), /gold\.json.*access_rights\.k\.allowed_urls/);
      await createKey('gold-key-3', { apply_policies: ['gold'] });
      assert.deepEqual(await burst(gw, 'gold-key-3', 5), [200, 200, 200, 200, 429], 'the previous policy (4 per minute) still applies');
    });
  });
}

describe('a bad policy at startup', () => {
  it('refuses to start (exit 1), naming the file and the field; `check` reports the same', async () => {
    const dir = await tempDir();
    try {
      await dir.write('tyk.conf', { listen_port: 0, app_path: 'apps', policies: { policy_record_name: 'policies.json' } });
      await dir.write('apps/.keep', '');
      await dir.write('policies.json', { gold: { rate: 2, per: 1, throttle_interval: 5 } });
      const start = await runCli(['start', '--conf', join(dir.path, 'tyk.conf')]);
      assert.equal(start.code, 1);
      assert.match(start.stderr, /policies\.json: policy "gold": `throttle_interval` turns on request throttling/);
      const check = await runCli(['check', '--conf', join(dir.path, 'tyk.conf')]);
      assert.equal(check.code, 1);
      assert.match(check.stderr, /policies: 0 loaded, 1 error/);
    } finally {
      await dir.remove();
    }
  });
});
