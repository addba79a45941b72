import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { PACKAGE_ROOT } from '../../gateway/meta.js';
import { request, tykError } from '../helpers/http.js';
import { requireProgram } from '../helpers/programs.js';

describe('npm start (the README quickstart)', () => {
  it("serves the Python tutorial's plugin and a keyless API on 127.0.0.1:8080 in front of its echo upstream, and stops cleanly", async (t) => {
    if (!requireProgram(t, 'python3', 'apt-get install python3')) return;
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

      // The README's two curl lines (the tutorial's): a bad token refused, the key let through.
      const bad = await request('http://127.0.0.1:8080/my-api/my-path', { headers: { Authorization: 'badtoken' } });
      assert.equal(bad.status, 403);
      assert.equal(bad.text(), tykError('Forbidden'));
      const good = await request('http://127.0.0.1:8080/my-api/my-path', { headers: { Authorization: '47a0c79c427728b3df4af62b9228c8ae' } });
      assert.equal(good.status, 200);
      assert.equal((good.json() as { path: string }).path, '/my-path');
      assert.equal(good.headers['x-ratelimit-limit'], '1000');
    } finally {
      if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, 'SIGTERM');
    }
    const code = await exited;
    assert.ok(code === 0 || code === null, `npm start exited with ${code}: ${output}`);
  });
});
