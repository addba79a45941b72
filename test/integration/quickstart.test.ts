import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { PACKAGE_ROOT } from '../../gateway/meta.js';
import { request } from '../helpers/http.js';

describe('npm start (the README quickstart)', () => {
  it('serves the quickstart API on 127.0.0.1:8080 in front of its echo upstream, and stops cleanly', async () => {
    // Exactly what the README tells a new user to run; it owns ports 8080 and 8081.
    const child = spawn('npm', ['start'], { cwd: PACKAGE_ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (output += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (output += c));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      let res;
      const deadline = Date.now() + 90_000;
      for (;;) {
        res = await request('http://127.0.0.1:8080/quickstart/hello?from=test').catch(() => undefined);
        if (res !== undefined) break;
        if (child.exitCode !== null || Date.now() > deadline) assert.fail(`npm start did not serve: ${output}`);
        await sleep(250);
      }
      assert.equal(res.status, 200);
      const echo = res.json() as { upstream: string; path: string; query: string; headers: Record<string, string> };
      assert.equal(echo.upstream, 'quickstart echo');
      assert.equal(echo.path, '/hello');
      assert.equal(echo.query, '?from=test');
      assert.equal(echo.headers['x-forwarded-for'], '127.0.0.1');
      const hello = await request('http://127.0.0.1:8080/hello');
      assert.equal((hello.json() as { status: string }).status, 'pass');
    } finally {
      if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGTERM');
    }
    const code = await exited;
    assert.ok(code === 0 || code === null, `npm start exited with ${code}: ${output}`);
  });
});
