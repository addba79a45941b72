/**
 * The example's tests, with the SDK's test kit: every test runs in process and again over the
 * real wire (a gRPC server on an ephemeral port), with the same assertions.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { hookRequest, inProcess, overWire, type PluginClient } from '../../sdk/testing/index.js';
import { plugin } from './plugin.js';

const KEY = '47a0c79c427728b3df4af62b9228c8ae';
const base = hookRequest().get('/ts-auth/anything').configData({ greeting: 'hello' });

const modes: Record<string, () => Promise<PluginClient>> = {
  'in process': () => Promise.resolve(inProcess(plugin)),
  'over the wire': () => overWire(plugin),
};

for (const [mode, open] of Object.entries(modes)) {
  describe(`ts-auth example (${mode})`, () => {
    let client: PluginClient;
    before(async () => (client = await open()));
    after(() => client.close());

    it('MyAuthMiddleware lets the tutorial key in with a session of 1000 requests per second', async () => {
      const result = await client.call('MyAuthMiddleware', base.header('Authorization', KEY));
      assert.equal(result.allowed, true);
      assert.equal(result.token, KEY);
      assert.equal(result.metadata['token'], KEY);
      assert.equal(result.session?.rate, 1000);
      assert.equal(result.session?.per, 1);
    });

    it('MyAuthMiddleware refuses another key: no token, so the gateway answers 403 Forbidden', async () => {
      const result = await client.call('MyAuthMiddleware', base.header('Authorization', 'badtoken'));
      assert.equal(result.denied, true);
      assert.equal(result.status, 403);
      assert.equal(result.error, 'Forbidden');
      assert.equal(result.token, undefined);
    });

    it('MyAuthMiddleware refuses a request without an Authorization header', async () => {
      const result = await client.call('MyAuthMiddleware', base);
      assert.equal(result.denied, true);
      assert.equal(result.status, 403);
    });

    it('AddHelloHeader adds X-Hello and leaves everything else as it was', async () => {
      const result = await client.call('AddHelloHeader', base.header('Accept', 'text/plain'));
      assert.equal(result.allowed, true);
      assert.equal(result.request.header('x-hello'), 'from the ts-auth plugin');
      assert.deepEqual(result.request.setHeaders, { 'X-Hello': 'from the ts-auth plugin' });
      assert.equal(result.request.header('Accept'), 'text/plain');
      assert.equal(result.request.url, '/ts-auth/anything');
      assert.equal(result.request.bodyChanged, false);
      assert.equal(result.session, null);
    });
  });
}
