import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { connect, hookRequest } from '../../sdk/testing/index.js';
import { CLI, runCli } from '../helpers/gateway-process.js';
import { requireProgram } from '../helpers/programs.js';
import { until, writeBundle } from '../helpers/python.js';
import { tempDir } from '../helpers/tmp.js';

const COUNTER = `from gateway import TykGateway as tyk

def Count(request, session, spec):
    n = int(tyk.get_data("n") or b"0") + 1
    tyk.store_data("n", str(n), 0)
    request.add_header("X-N", str(n))
    return request, session

def OnEvent(event, spec):
    tyk.log("event " + event.message["Type"] + " " + event.message["Meta"]["Key"], "warning")
`;

describe('hookgate python-bridge on its own', () => {
  it('answers --help and --print-pythonpath, and refuses a missing --bundle as a usage error', async () => {
    const help = await runCli(['python-bridge', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: hookgate python-bridge --bundle <dir>/);
    const path = await runCli(['python-bridge', '--print-pythonpath']);
    assert.equal(path.code, 0);
    assert.ok(existsSync(join(path.stdout.trim(), 'tyk', 'decorators.py')));
    const missing = await runCli(['python-bridge', '--listen', '127.0.0.1:0']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--bundle <dir> is required/);
  });

  it('exits 3 with the file, line and error when the bundle does not load', async (t) => {
    if (!requireProgram(t, 'python3', 'apt-get install python3')) return;
    const dir = await tempDir();
    try {
      const bundle = await writeBundle(dir, 'b', { file_list: ['middleware.py'], custom_middleware: { driver: 'python', pre: [{ name: 'Count' }] } }, { 'middleware.py': 'import json\nimport not_a_module_anywhere\n' });
      const result = await runCli(['python-bridge', '--bundle', bundle, '--listen', '127.0.0.1:0', '--workers', '1'], 30_000);
      assert.equal(result.code, 3, result.stdout + result.stderr);
      const line = JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '{}') as Record<string, unknown>;
      assert.equal(line['line'], 2);
      assert.equal(line['error'], "ModuleNotFoundError: No module named 'not_a_module_anywhere'");
      assert.match(String(line['msg']), /the bundle failed to load: .*b\/middleware\.py line 2: ModuleNotFoundError/);
    } finally {
      await dir.remove();
    }
  });

  it('keeps store_data values in its own store across calls, and runs event handlers', async (t) => {
    if (!requireProgram(t, 'python3', 'apt-get install python3')) return;
    const dir = await tempDir();
    const bundle = await writeBundle(dir, 'b', { file_list: ['middleware.py'], custom_middleware: { driver: 'python', pre: [{ name: 'Count' }] } }, { 'middleware.py': COUNTER });
    const bridge = spawn(process.execPath, [CLI, 'python-bridge', '--bundle', bundle, '--listen', `unix://${join(dir.path, 'b.sock')}`, '--workers', '2'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    bridge.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
    try {
      await until(() => out.includes('"msg":"python bridge ready"'), 30_000, `the bridge: ${out}`);
      const client = await connect(`unix://${join(dir.path, 'b.sock')}`);
      try {
        const seen: string[] = [];
        for (let i = 0; i < 4; i++) {
          const result = await client.call('Count', hookRequest(), { kind: 'pre' });
          seen.push(result.request.setHeaders['X-N'] ?? '');
        }
        assert.deepEqual(seen, ['1', '2', '3', '4']);
        await client.event('OnEvent', { type: 'AuthFailure', meta: { Key: 'k1' } });
        await until(() => /"level":40,.*"hook":"OnEvent".*"msg":"event AuthFailure k1"/.test(out), 5000, `the event line: ${out}`);
      } finally {
        await client.close();
      }
    } finally {
      bridge.kill('SIGTERM');
      await new Promise((resolve) => bridge.once('exit', resolve));
      await dir.remove();
    }
  });
});
