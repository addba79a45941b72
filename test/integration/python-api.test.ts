import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { PACKAGE_ROOT } from '../../gateway/meta.js';
import { request, tykError } from '../helpers/http.js';
import { requireProgram } from '../helpers/programs.js';
import { keylessApi } from '../helpers/apis.js';
import { bridgeStarts, pluginLogs, pythonApi, pythonGateway, running, until, writeBundle } from '../helpers/python.js';
import { tempDir } from '../helpers/tmp.js';
import { startRedis } from '../helpers/redis.js';
import { startUpstream } from '../helpers/upstream.js';

/** One hook per point of Tyk's Python API (see its middleware.py). */
const BUNDLE = join(PACKAGE_ROOT, 'test', 'fixtures', 'python', 'api-points');
const CONFIG_DATA = { greeting: 'hello', nested: { n: 1 } };

function api(upstream: string) {
  return pythonApi('api-points', '/api/', upstream, BUNDLE, {
    config_data: CONFIG_DATA,
    event_handlers: { events: { AuthFailure: [{ handler_name: 'cp_dynamic_handler', handler_meta: { name: 'OnAuthFailure' } }] } },
  });
}

interface Echo {
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly bodyBytes: number;
}

describe("Tyk's Python API through the gateway, every hook type and argument count", () => {
  it('runs pre (3, 4 and 5 arguments, decorated or not), auth_check, post_key_auth, post and response hooks with what Tyk gives them', async (t) => {
    if (!requireProgram(t, 'python3', 'apt-get install python3')) return;
    const up = await startUpstream();
    const gw = await pythonGateway({ 'a.json': api(up.origin) }, { log_level: 'debug' });
    try {
      const res = await request(gw.url('/api/x?q=1&drop=2'), {
        method: 'POST',
        body: 'hello',
        headers: { Authorization: 'valid-key', 'x-remove-me': 'gone', 'user-agent': 'python-api-test' },
      });
      assert.equal(res.status, 201, res.text());
      assert.equal(res.headers['x-response-hook'], 'yes');
      const body = res.json() as { upstream_status: number; upstream: Echo; user: string; from: string };
      assert.equal(body.upstream_status, 200);
      assert.equal(body.user, 'alice');
      assert.equal(body.from, 'helpers.py:response');
      assert.equal(res.headers['content-length'], String(Buffer.byteLength(res.text())));

      const sent = body.upstream;
      assert.equal(sent.url, '/x?added=1&q=1');
      assert.equal(sent.headers['x-remove-me'], undefined);
      assert.equal(sent.headers['x-pre-three'], 'helpers.py:pre');
      assert.equal(sent.headers['x-pre-four'], '4');
      assert.equal(sent.headers['x-pre-five'], '0');
      assert.equal(sent.headers['x-after-auth'], 'alice/100.0');
      assert.equal(sent.headers['x-counter'], '1');
      assert.equal(sent.headers['x-previous-type'], 'bytes');
      assert.equal(sent.headers['x-metadata-user'], 'alice');
      assert.equal(sent.bodyBytes, 'rewritten:hello'.length);
      assert.deepEqual(JSON.parse(sent.headers['x-seen'] ?? '{}'), {
        method: 'POST',
        url: '/api/x?q=1&drop=2',
        request_uri: '/api/x?q=1&drop=2',
        scheme: 'http',
        param_q: '1',
        missing_param: '',
        host: `127.0.0.1:${gw.port}`,
        user_agent: 'python-api-test',
        missing_header: null,
        body: 'hello',
        raw_body: 'hello',
        api_id: 'api-points',
        org_id: 'test-org',
        bundle_hash: 'd41d8cd98f00b204e9800998ecf8427e',
        config: CONFIG_DATA,
        response_code: -1,
      });

      // store_data / get_data across requests, in the gateway's storage.
      const again = await request(gw.url('/api/x'), { headers: { Authorization: 'valid-key' } });
      assert.equal((again.json() as { upstream: Echo }).upstream.headers['x-counter'], '2');

      // tyk.log levels land at their level in the gateway's log, with the plugin and hook.
      const counterLines = pluginLogs(gw, 'api-points').filter(([, msg]) => / line$/.test(msg)).slice(0, 5);
      assert.deepEqual(counterLines, [
        [20, 'a debug line'],
        [30, 'an info line'],
        [40, 'a warning line'],
        [50, 'an error line'],
        [50, 'a log_error line'],
      ]);
      assert.equal(gw.logs.find((l) => l.msg === 'a warning line')?.['hook'], 'Counter');

      // return_overrides: an error code answers with Tyk's template and the override's headers.
      const teapot = await request(gw.url('/api/x?teapot=1'), { headers: { Authorization: 'valid-key' } });
      assert.equal(teapot.status, 418);
      assert.equal(teapot.text(), tykError("I'm a teapot"));
      assert.equal(teapot.headers['x-teapot'], 'short and stout');

      // A refused key fires AuthFailure, and the bundle's @Event handler runs (it never does in Tyk).
      const refused = await request(gw.url('/api/x'), { headers: { Authorization: 'wrong' } });
      assert.equal(refused.status, 403);
      assert.equal(refused.text(), tykError('Forbidden'));
      await gw.waitForLog((l) => l.msg === "event AuthFailure for api-points, key 'wrong'" && l['hook'] === 'OnAuthFailure');
      assert.equal(up.received.length, 2);
    } finally {
      await gw.stop();
      await up.close();
    }
  });

  it("keeps tyk.store_data values in the gateway's Redis under coprocess-data:<key>, with their TTL", async (t) => {
    if (!requireProgram(t, 'python3', 'apt-get install python3') || !requireProgram(t, 'redis-server', 'apt-get install redis-server')) return;
    const redis = await startRedis();
    const client = new Redis({ port: redis.port, host: '127.0.0.1', lazyConnect: true });
    const up = await startUpstream();
    const gw = await pythonGateway({ 'a.json': api(up.origin) }, { storage: { type: 'redis', host: '127.0.0.1', port: redis.port } });
    try {
      await client.set('coprocess-data:counter', '41');
      const res = await request(gw.url('/api/x'), { headers: { Authorization: 'valid-key' } });
      assert.equal((res.json() as { upstream: Echo }).upstream.headers['x-counter'], '42');
      assert.equal(await client.get('coprocess-data:counter'), '42');
      const ttl = await client.ttl('coprocess-data:counter');
      assert.ok(ttl > 50 && ttl <= 60, `TTL ${ttl}`);
    } finally {
      await gw.stop();
      await up.close();
      client.disconnect();
      await redis.stop();
    }
  });
});

describe('Python bundles and reloads', () => {
  it('a reload that adds a Python API starts its bridge (with python_path_prefix on sys.path); one that removes it stops the bridge', async (t) => {
    if (!requireProgram(t, 'python3', 'apt-get install python3')) return;
    const dir = await tempDir();
    const up = await startUpstream();
    await dir.write('prefix/coprocess/python/shared_helper.py', 'WHO = "shared module from python_path_prefix"\n');
    const bundle = await writeBundle(dir, 'bundle', { file_list: ['middleware.py'], custom_middleware: { driver: 'python', pre: [{ name: 'Tag' }] } }, {
      'middleware.py': 'import shared_helper\n\ndef Tag(request, session, spec):\n    request.add_header("X-Who", shared_helper.WHO)\n    return request, session\n',
    });
    const gw = await pythonGateway({ 'keyless.json': keylessApi('k', '/k/', up.origin) }, { secret: 'reload-secret' }, { python_path_prefix: join(dir.path, 'prefix') });
    const reload = () => request(gw.url('/tyk/reload?block=true'), { headers: { 'x-tyk-authorization': 'reload-secret' } });
    try {
      assert.equal(bridgeStarts(gw).length, 0);
      await writeFile(join(gw.dir.path, 'apps', 'py.json'), JSON.stringify(pythonApi('py', '/py/', up.origin, bundle, { use_keyless: true, enable_coprocess_auth: false })));
      assert.equal((await reload()).status, 200);
      const res = await request(gw.url('/py/x'));
      assert.equal(res.status, 200, res.text());
      assert.equal(up.received.at(-1)?.headers['x-who'], 'shared module from python_path_prefix');
      // The ready line reaches the captured log through a pipe, possibly after the answer.
      await until(() => bridgeStarts(gw, 'bundle').length > 0, 10_000, 'the bridge to log that it is ready');
      const [bridge] = bridgeStarts(gw, 'bundle');
      assert.ok(bridge !== undefined && running(bridge.bridgePid), `bridge ${JSON.stringify(bridge?.line)} not running`);

      await rm(join(gw.dir.path, 'apps', 'py.json'));
      assert.equal((await reload()).status, 200);
      await until(() => !running(bridge.bridgePid) && bridge.workerPids.every((pid) => !running(pid)), 10_000, 'the unused bridge and its workers to stop');
      assert.equal((await request(gw.url('/py/x'))).status, 404);
      assert.equal((await request(gw.url('/k/x'))).status, 200);
    } finally {
      await gw.stop();
      await up.close();
      await dir.remove();
    }
  });
});
