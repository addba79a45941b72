import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pluginApi } from '../helpers/apis.js';
import { CLI, startGatewayProcess } from '../helpers/gateway-process.js';
import { request, tykError } from '../helpers/http.js';
import { bridgeStarts, pluginLogs, PYTHON_AUTH_BUNDLE, pythonApi, pythonGateway, TUTORIAL_KEY, until } from '../helpers/python.js';
import { startUpstream } from '../helpers/upstream.js';

/**
 * md5 of the code block of the tutorial (seed 000_0b51eb59917b8bf5.txt, lines 46 to 58), which
 * examples/python-auth/middleware.py must be byte for byte.
 */
const SEED_MIDDLEWARE_MD5 = '31a117aa8a7adce7dd0376382b0088c9';

describe("the Python tutorial's plugin (examples/python-auth)", () => {
  it("is the tutorial's middleware.py byte for byte, and its manifest names MyAuthMiddleware as auth_check", () => {
    assert.equal(createHash('md5').update(readFileSync(join(PYTHON_AUTH_BUNDLE, 'middleware.py'))).digest('hex'), SEED_MIDDLEWARE_MD5);
    const manifest = JSON.parse(readFileSync(join(PYTHON_AUTH_BUNDLE, 'manifest.json'), 'utf8')) as { file_list: string[]; custom_middleware: Record<string, unknown> };
    assert.deepEqual(manifest, { file_list: ['middleware.py'], custom_middleware: { driver: 'python', auth_check: { name: 'MyAuthMiddleware' } } });
  });

  it('runs behind the gateway: a bad token gets Tyk\'s 403, the key reaches the upstream with rate 1000 per 1, config_data and the body reach the plugin', async () => {
    const up = await startUpstream();
    const gw = await pythonGateway({ 'my-api.json': pythonApi('my-api', '/my-api/', up.origin, PYTHON_AUTH_BUNDLE, { config_data: { greeting: 'hello', html: '<b>' } }) });
    try {
      const bad = await request(gw.url('/my-api/my-path'), { headers: { Authorization: 'badtoken' } });
      assert.equal(bad.status, 403);
      assert.equal(bad.text(), tykError('Forbidden'));
      assert.equal(bad.headers['content-type'], 'application/json');
      assert.equal(up.received.length, 0);

      const good = await request(gw.url('/my-api/my-path'), { method: 'POST', body: 'ping', headers: { Authorization: TUTORIAL_KEY } });
      assert.equal(good.status, 200);
      assert.equal(up.received.length, 1);
      assert.equal(up.received[0]?.url, '/my-path');
      assert.equal(up.received[0]?.bodyBytes, 4);
      assert.equal(good.headers['x-ratelimit-limit'], '1000');
      assert.equal(good.headers['x-ratelimit-remaining'], '999');
      const second = await request(gw.url('/my-api/my-path'), { headers: { Authorization: TUTORIAL_KEY } });
      assert.equal(second.headers['x-ratelimit-remaining'], '998');

      await gw.waitForLog((l) => l.msg === 'Request bodyping');
      const lines = pluginLogs(gw, 'python-auth');
      assert.deepEqual(lines.slice(0, 3), [
        [30, "I'm logged!"],
        [30, 'Request bodyping'],
        [30, 'API config_data{"greeting":"hello","html":"\\u003cb\\u003e"}'],
      ]);
      const logged = gw.logs.find((l) => l.msg === "I'm logged!");
      assert.equal(logged?.['hook'], 'MyAuthMiddleware');
      assert.equal(logged?.['component'], 'python');
      // A session the plugin made is stored under the plugin's token, as Tyk does.
      assert.equal(bridgeStarts(gw, 'python-auth').length, 1);
      const hello = (await request(gw.url('/hello'))).json() as { status: string; details: Record<string, { status: string }> };
      assert.equal(hello.details['sidecar:python:python-auth']?.status, 'pass');
    } finally {
      await gw.stop();
      await up.close();
    }
  });

  it('hookgate python-bridge serves the bundle on its own, to a gateway using it as a gRPC plugin server (as Tyk would)', async () => {
    const bridge = spawn(process.execPath, [CLI, 'python-bridge', '--bundle', PYTHON_AUTH_BUNDLE, '--listen', '127.0.0.1:0', '--workers', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    bridge.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    bridge.stderr.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    const exited = new Promise<number | null>((resolve) => bridge.once('exit', (code) => resolve(code)));
    const up = await startUpstream();
    try {
      const port = await until(() => /"msg":"python bridge ready"/.test(out) && Number(/"port":(\d+)/.exec(out)?.[1]), 30_000, `the bridge to be ready: ${out}`);
      const gw = await startGatewayProcess({
        config: { coprocess_options: { enable_coprocess: true, coprocess_grpc_server: `tcp://127.0.0.1:${port}` } },
        apis: { 'a.json': pluginApi('grpc-mode', '/g/', up.origin, { auth_check: { name: 'MyAuthMiddleware' } }) },
      });
      try {
        assert.equal((await request(gw.url('/g/x'), { headers: { Authorization: 'badtoken' } })).status, 403);
        const good = await request(gw.url('/g/x'), { headers: { Authorization: TUTORIAL_KEY } });
        assert.equal(good.status, 200);
        assert.equal(good.headers['x-ratelimit-limit'], '1000');
      } finally {
        await gw.stop();
      }
      assert.match(out, /"component":"python","hook":"MyAuthMiddleware".*"msg":"I'm logged!"/);
      bridge.kill('SIGTERM');
      assert.equal(await exited, 0);
    } finally {
      if (bridge.exitCode === null) bridge.kill('SIGKILL');
      await up.close();
    }
  });
});
