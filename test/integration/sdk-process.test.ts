/**
 * A served plugin as a process, as the gateway's sidecar supervisor runs it: ready line, calls,
 * and SIGTERM (drain, exit 0).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { PACKAGE_ROOT } from '../../gateway/index.js';
import { connect, hookRequest, PluginCallError } from '../../sdk/testing/index.js';
import { spawnPlugin } from '../helpers/sdk.js';

const EXAMPLE_MAIN = join(PACKAGE_ROOT, 'dist', 'examples', 'ts-auth', 'main.js');
const SLOW_MAIN = join(PACKAGE_ROOT, 'dist', 'test', 'fixtures', 'sdk', 'slow-main.js');
const KEY = '47a0c79c427728b3df4af62b9228c8ae';

describe('a served plugin process', () => {
  it('the example entry point serves on HOOKGATE_PLUGIN_ADDRESS and exits 0 on SIGTERM', async () => {
    const plugin = await spawnPlugin(EXAMPLE_MAIN);
    assert.match(plugin.address, /^127\.0\.0\.1:\d+$/);
    const ready = plugin.records.find((r) => r.msg === 'plugin server ready');
    assert.deepEqual(ready?.['hooks'], [
      { name: 'MyAuthMiddleware', kind: 'auth_check' },
      { name: 'AddHelloHeader', kind: 'pre' },
    ]);
    const client = connect(plugin.address);
    try {
      const result = await client.call('MyAuthMiddleware', hookRequest().header('Authorization', KEY), { kind: 'auth_check' });
      assert.equal(result.token, KEY);
    } finally {
      await client.close();
    }
    plugin.child.kill('SIGTERM');
    const { code, signal } = await plugin.exited;
    assert.deepEqual({ code, signal }, { code: 0, signal: null }, plugin.stderr());
    assert.ok(plugin.records.some((r) => r.msg === 'plugin server stopped' && r['forced'] === false));
  });

  it('SIGTERM during a call: the call is answered, then the process exits 0', async () => {
    const plugin = await spawnPlugin(SLOW_MAIN);
    const client = connect(plugin.address);
    const slow = client.call('Slow', hookRequest().query('ms', '500'), { kind: 'pre' });
    await sleep(150);
    plugin.child.kill('SIGTERM');
    const result = await slow;
    assert.equal(result.request.header('X-Slept'), '500');
    const { code } = await plugin.exited;
    assert.equal(code, 0, plugin.stderr());
    await client.close();
  });

  it('a second SIGTERM cuts the wait short; still exit 0', async () => {
    const plugin = await spawnPlugin(SLOW_MAIN, { SHUTDOWN_GRACE_MS: '30000' });
    const client = connect(plugin.address);
    const slow = client.call('Slow', hookRequest().query('ms', '20000'), { kind: 'pre' }).then(
      () => undefined,
      (err: unknown) => err,
    );
    await sleep(150);
    const started = Date.now();
    plugin.child.kill('SIGTERM');
    await sleep(150);
    plugin.child.kill('SIGTERM');
    const { code } = await plugin.exited;
    assert.equal(code, 0, plugin.stderr());
    assert.ok(Date.now() - started < 5000);
    assert.ok((await slow) instanceof PluginCallError);
    assert.ok(plugin.records.some((r) => r.msg === 'second signal: stopping at once'));
    await client.close();
  });
});
