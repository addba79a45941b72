import assert from 'node:assert/strict';
import { Agent, request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { keylessApi } from '../helpers/apis.js';
import { startGatewayProcess } from '../helpers/gateway-process.js';
import { request } from '../helpers/http.js';
import { startUpstream, type TestUpstream } from '../helpers/upstream.js';

/** Waits until the upstream has received `count` requests. */
async function receivedAtLeast(up: TestUpstream, count: number, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (up.received.length < count) {
    if (Date.now() > deadline) throw new Error(`upstream saw ${up.received.length} of ${count} requests`);
    await sleep(10);
  }
}

describe('graceful shutdown', () => {
  let up: TestUpstream;
  before(async () => {
    up = await startUpstream();
  });
  after(() => up.close());

  it('SIGTERM during a slow request: stops accepting, finishes the request, then exits 0', async () => {
    const gw = await startGatewayProcess({ apis: { 's.json': keylessApi('s', '/s/', up.origin) } });
    const seen = up.received.length;
    const slow = request(gw.url('/s/slow?ms=1500'));
    await receivedAtLeast(up, seen + 1);
    let exitedAt = 0;
    void gw.exited.then(() => (exitedAt = Date.now()));
    gw.child.kill('SIGTERM');
    await sleep(200);
    await assert.rejects(request(gw.url('/s/after')), /ECONNREFUSED/, 'a new connection after SIGTERM must be refused');
    const res = await slow;
    const answeredAt = Date.now();
    assert.equal(res.status, 200);
    assert.match(res.text(), /"bodySha256"/);
    assert.equal(res.headers['connection'], 'close');
    const { code } = await gw.stop();
    assert.equal(code, 0);
    assert.ok(exitedAt >= answeredAt - 50, 'the process exited only after the in-flight request was answered');
    assert.ok(gw.logs.some((l) => l.msg === 'gateway stopped'));
  });

  it('an idle keep-alive connection does not hold the shutdown up', async () => {
    const gw = await startGatewayProcess({ apis: { 's.json': keylessApi('s', '/s/', up.origin) } });
    const agent = new Agent({ keepAlive: true });
    await new Promise<void>((resolve, reject) => {
      httpRequest(gw.url('/s/ka'), { agent }, (res) => res.resume().on('end', resolve)).on('error', reject).end();
    });
    const started = Date.now();
    const { code } = await gw.stop('SIGTERM');
    agent.destroy();
    assert.equal(code, 0);
    // Held up, it would wait for the 30 s keep-alive or shutdown timeout; 10 s leaves a loaded machine room.
    assert.ok(Date.now() - started < 10_000, `took ${Date.now() - started} ms to stop`);
  });

  it('a request that outlives the grace period is cut, and the process still exits 0', async () => {
    const gw = await startGatewayProcess({ config: { graceful_shutdown_timeout_duration: 0.5 }, apis: { 's.json': keylessApi('s', '/s/', up.origin) } });
    const seen = up.received.length;
    const hung = request(gw.url('/s/hang')).then(
      (res) => `answered ${res.status}`,
      (err: Error) => err.message,
    );
    await receivedAtLeast(up, seen + 1);
    const started = Date.now();
    gw.child.kill('SIGTERM');
    const { code } = await gw.stop();
    const elapsed = Date.now() - started;
    assert.equal(code, 0);
    assert.ok(elapsed >= 450 && elapsed < 5000, `exited after ${elapsed} ms with a 500 ms grace period`);
    assert.match(await hung, /socket hang up|ECONNRESET/);
    assert.ok(gw.logs.some((l) => l.msg === 'grace period over: closing the connections still open'));
  });

  it('a second signal closes in-flight requests at once', async () => {
    const gw = await startGatewayProcess({ apis: { 's.json': keylessApi('s', '/s/', up.origin) } });
    const seen = up.received.length;
    const hung = request(gw.url('/s/hang')).catch((err: Error) => err.message);
    await receivedAtLeast(up, seen + 1);
    const started = Date.now();
    gw.child.kill('SIGTERM');
    await sleep(100);
    gw.child.kill('SIGINT');
    const { code } = await gw.stop();
    assert.equal(code, 0);
    assert.ok(Date.now() - started < 3000);
    assert.match(String(await hung), /socket hang up|ECONNRESET/);
  });
});
