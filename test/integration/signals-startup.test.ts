import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { keylessApi } from '../helpers/apis.js';
import { CLI } from '../helpers/gateway-process.js';
import { request } from '../helpers/http.js';
import { SIDECAR_PLUGIN } from '../helpers/sidecars.js';
import { tempDir } from '../helpers/tmp.js';
import { startUpstream } from '../helpers/upstream.js';

/**
 * Signals that arrive while the gateway is still starting (waiting for storage, sidecars, bridges:
 * seconds when one of them is slow). Found by the fault suite's reload storm: a SIGHUP in that
 * window used to kill the gateway (the default action of SIGHUP, before its handler was set).
 */
describe('signals during startup', () => {
  it('SIGHUP while a sidecar is still starting: the gateway survives, serves, and reloads once started', async () => {
    const dir = await tempDir();
    const up = await startUpstream();
    const address = `unix://${join(dir.path, 'slow.sock')}`;
    await dir.write('apps/a.json', keylessApi('a', '/a/', up.origin));
    await dir.write('tyk.conf', {
      listen_address: '127.0.0.1',
      listen_port: 0,
      app_path: join(dir.path, 'apps'),
      log_format: 'json',
      coprocess_options: {
        enable_coprocess: true,
        // Ready only after 1.5 s: startup waits for it, and the SIGHUP lands in that window.
        sidecars: [{ name: 'slow', command: process.execPath, args: [SIDECAR_PLUGIN, '--address', address, '--ready-delay-ms', '1500'], address }],
      },
    });
    const child = spawn(process.execPath, [CLI, 'start', '--conf', join(dir.path, 'tyk.conf')], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    const lines: { msg: string; port?: number }[] = [];
    let text = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      text += chunk;
      const parts = text.split('\n');
      text = parts.pop() ?? '';
      for (const part of parts) if (part.trim() !== '') lines.push(JSON.parse(part) as { msg: string });
    });
    const waitFor = async (msg: string) => {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const line = lines.find((l) => l.msg === msg);
        if (line !== undefined) return line;
        if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the gateway exited (${child.exitCode ?? child.signalCode}) before "${msg}"`);
        if (Date.now() > deadline) throw new Error(`no "${msg}" within 20 s`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    try {
      await waitFor('sidecar launched');
      assert.ok(!lines.some((l) => l.msg === 'gateway listening'), 'the SIGHUP must land during startup');
      child.kill('SIGHUP');
      const listening = await waitFor('gateway listening');
      await waitFor('API definitions reloaded');
      assert.equal((await request(`http://127.0.0.1:${listening.port}/a/x`)).status, 200);
      child.kill('SIGTERM');
      assert.deepEqual(await exited, { code: 0, signal: null });
    } finally {
      child.kill('SIGKILL');
      await up.close();
      await dir.remove();
    }
  });
});
