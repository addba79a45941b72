import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { keylessApi } from '../helpers/apis.js';
import { startGatewayProcess, type GatewayProcess, type LogLine } from '../helpers/gateway-process.js';
import { tykError } from '../helpers/http.js';
import { openConnection, rawExchange, requestOn } from '../helpers/raw-http.js';
import { startUpstream, type TestUpstream } from '../helpers/upstream.js';

const GET = (path: string, extra = '') => `GET ${path} HTTP/1.1\r\nHost: gw\r\n${extra}\r\n`;
const hasLog = (gw: GatewayProcess, msg: string, fields: Record<string, unknown> = {}) =>
  gw.waitForLog((l: LogLine) => l.msg === msg && Object.entries(fields).every(([k, v]) => l[k] === v), 5000);

describe('client limits (one gateway, small limits)', () => {
  let up: TestUpstream;
  let gw: GatewayProcess;

  before(async () => {
    up = await startUpstream();
    gw = await startGatewayProcess({
      config: {
        log_level: 'debug',
        proxy_default_timeout: 20,
        http_server_options: { read_timeout: 1, write_timeout: 3, max_request_body_size: 1000 },
        hookgate: { limits: { header_timeout_ms: 500, keep_alive_timeout_ms: 500, max_header_bytes: 2048, max_header_count: 20 } },
      },
      apis: {
        'open.json': keylessApi('open', '/open/', up.origin),
        'hang.json': keylessApi('hang', '/hang/', `${up.origin}/hang`),
        'small.json': keylessApi('small', '/small/', up.origin, {}, { version_data: { not_versioned: true, versions: { Default: { name: 'Default', global_size_limit: 100 } } } }),
      },
    });
  });
  after(async () => {
    await gw.stop();
    await up.close();
  });

  it('answers 408 to headers sent too slowly (slowloris)', async () => {
    const drip = ['GET /open/ HTTP/1.1\r\n', 'Host: gw\r\n', ...Array.from({ length: 40 }, (_, i) => `X-Drip-${i}: x\r\n`)];
    const res = await rawExchange(gw.port, drip, { gapMs: 100, waitMs: 8000 });
    assert.equal(res.status, 408, res.raw.toString());
    assert.equal(res.body, tykError('Request Timeout'));
    assert.ok(res.closed, 'the gateway closes the connection');
    await hasLog(gw, 'request headers not received in time', { limit: 'header_timeout' });
  });

  it('answers 408 to a body sent too slowly', async () => {
    const head = 'POST /open/slow-body HTTP/1.1\r\nHost: gw\r\nContent-Length: 100\r\n\r\n';
    const res = await rawExchange(gw.port, [head, 'x'.repeat(10)], { waitMs: 8000 });
    assert.equal(res.status, 408, res.raw.toString());
    assert.equal(res.body, tykError('Request Timeout'));
    assert.ok(res.closed);
    await hasLog(gw, 'request body not received in time', { limit: 'read_timeout' });
  });

  it('answers 431 to a header section over max_header_bytes', async () => {
    const res = await rawExchange(gw.port, [GET('/open/big', `X-Big: ${'b'.repeat(4000)}\r\n`)]);
    assert.equal(res.status, 431, res.raw.toString());
    assert.equal(res.body, tykError('Request Header Fields Too Large'));
    await hasLog(gw, 'request headers too large', { limit: 'max_header_bytes' });
    assert.equal(up.received.filter((r) => r.url.includes('big')).length, 0);
  });

  it('answers 431 to more header fields than max_header_count', async () => {
    const many = Array.from({ length: 25 }, (_, i) => `X-H${i}: v\r\n`).join('');
    const res = await rawExchange(gw.port, [GET('/open/many', many)]);
    assert.equal(res.status, 431, res.raw.toString());
    assert.equal(res.body, tykError('Request Header Fields Too Large'));
    await hasLog(gw, 'too many request headers', { limit: 'max_header_count' });
    assert.equal(up.received.filter((r) => r.url.includes('many')).length, 0);
    // 20 fields are fine.
    const ok = await rawExchange(gw.port, [GET('/open/fine', Array.from({ length: 19 }, (_, i) => `X-H${i}: v\r\n`).join(''))], { firstResponse: true });
    assert.equal(ok.status, 200);
  });

  it('answers 413 to a Content-Length over max_request_body_size, before the upstream sees it', async () => {
    const head = 'POST /open/cl-global HTTP/1.1\r\nHost: gw\r\nContent-Length: 2000\r\n\r\n';
    const res = await rawExchange(gw.port, [head, 'y'.repeat(2000)], { firstResponse: true });
    assert.equal(res.status, 413, res.raw.toString());
    assert.equal(res.body, tykError('Request is too large'));
    await hasLog(gw, 'request body over the limit', { api_id: 'open', limit: 'max_request_body' });
    assert.equal(up.received.filter((r) => r.url.includes('cl-global')).length, 0);
  });

  it("answers 413 to a Content-Length over the API's global_size_limit", async () => {
    const head = 'POST /small/cl-api HTTP/1.1\r\nHost: gw\r\nContent-Length: 200\r\n\r\n';
    const res = await rawExchange(gw.port, [head, 'z'.repeat(200)], { firstResponse: true });
    assert.equal(res.status, 413, res.raw.toString());
    assert.equal(res.body, tykError('Request is too large'));
    await hasLog(gw, 'request body over the limit', { api_id: 'small' });
    const fits = await rawExchange(gw.port, ['POST /small/fits HTTP/1.1\r\nHost: gw\r\nContent-Length: 100\r\n\r\n', 'z'.repeat(100)], { firstResponse: true });
    assert.equal(fits.status, 200);
  });

  it('answers 413 to a chunked body that grows past the limit, and closes', async () => {
    const head = 'POST /open/chunked-big HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\r\n\r\n';
    const chunk = `12c\r\n${'c'.repeat(300)}\r\n`;
    const res = await rawExchange(gw.port, [head, chunk, chunk, chunk, chunk, chunk, '0\r\n\r\n'], { gapMs: 20 });
    assert.equal(res.status, 413, res.raw.toString());
    assert.equal(res.body, tykError('Request is too large'));
    assert.ok(res.closed);
    await hasLog(gw, 'request body over the limit', { api_id: 'open', limit: 'max_request_body' });
    const small = await rawExchange(gw.port, [head.replace('chunked-big', 'chunked-ok'), chunk, '0\r\n\r\n'], { firstResponse: true });
    assert.equal(small.status, 200);
    assert.equal(up.received.find((r) => r.url.includes('chunked-ok'))?.bodyBytes, 300);
  });

  it('answers 504 when the response is not done within write_timeout', async () => {
    const res = await rawExchange(gw.port, [GET('/hang/')], { waitMs: 10_000 });
    assert.equal(res.status, 504, res.raw.toString());
    assert.equal(res.body, tykError('Gateway Timeout: no response within write_timeout'));
    await hasLog(gw, 'response not finished within write_timeout', { limit: 'write_timeout' });
  });

  it('closes an idle keep-alive connection after keep_alive_timeout_ms', async () => {
    const socket = await openConnection(gw.port);
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    const first = await requestOn(socket, GET('/open/idle'));
    assert.equal(first.status, 200);
    const timeout = new Promise<'open'>((resolve) => setTimeout(() => resolve('open'), 5000).unref());
    assert.equal(await Promise.race([closed.then(() => 'closed' as const), timeout]), 'closed');
    await hasLog(gw, 'idle keep-alive connection closed', { limit: 'keep_alive_timeout' });
  });

  it('keeps serving: /hello answers after all of the above', async () => {
    const res = await rawExchange(gw.port, [GET('/hello')], { firstResponse: true });
    assert.equal(res.status, 200);
    assert.equal(gw.child.exitCode, null);
  });
});

describe('connection limit', () => {
  let up: TestUpstream;
  let gw: GatewayProcess;
  const held: Socket[] = [];

  before(async () => {
    up = await startUpstream();
    gw = await startGatewayProcess({
      config: {
        proxy_default_timeout: 20,
        hookgate: { limits: { max_connections: 4 } },
      },
    });
  });
  after(async () => {
    for (const s of held) s.destroy();
    await gw.stop();
    await up.close();
  });

  it('answers 503 to a connection over max_connections, and accepts again once one closes', async () => {
    for (let i = 0; i < 4; i++) {
      const socket = await openConnection(gw.port);
      held.push(socket);
      assert.equal((await requestOn(socket, GET('/hello'))).status, 200);
    }
    const refused = await rawExchange(gw.port, [GET('/hello')], { waitMs: 5000 });
    assert.equal(refused.status, 503, refused.raw.toString());
    assert.equal(refused.body, tykError('Service Unavailable: too many connections'));
    assert.ok(refused.closed);
    await hasLog(gw, 'too many connections: refused with 503', { limit: 'max_connections' });
    const freed = held.pop() as Socket;
    await new Promise<void>((resolve) => {
      freed.once('close', () => resolve());
      freed.destroy();
    });
    // The gateway sees the close a moment after the client; a bounded retry covers that.
    let status = 0;
    for (let i = 0; i < 20 && status !== 200; i++) {
      status = (await rawExchange(gw.port, [GET('/hello')], { firstResponse: true, waitMs: 2000 })).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(status, 200);
  });

});

describe('upstream pool limit', () => {
  let up: TestUpstream;
  let gw: GatewayProcess;
  const held: Socket[] = [];

  before(async () => {
    up = await startUpstream();
    gw = await startGatewayProcess({
      config: { proxy_default_timeout: 20, hookgate: { upstream: { connections_per_origin: 1, max_queued_per_origin: 1 } } },
      apis: { 'hang.json': keylessApi('hang', '/hang/', `${up.origin}/hang`) },
    });
  });
  after(async () => {
    for (const s of held) s.destroy();
    await gw.stop();
    await up.close();
  });

  it('answers 503 when an upstream has every connection busy and its queue full', async () => {
    const waiting = [await openConnection(gw.port), await openConnection(gw.port)];
    held.push(...waiting);
    for (const socket of waiting) socket.write(GET('/hang/'));
    // Both are in flight once the upstream has one and the gateway queued the other.
    for (let i = 0; i < 100 && up.received.filter((r) => r.url.startsWith('/hang')).length < 1; i++) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 100));
    const res = await rawExchange(gw.port, [GET('/hang/third')], { firstResponse: true, waitMs: 5000 });
    assert.equal(res.status, 503, `${res.raw.toString()} ${JSON.stringify(gw.logs.slice(-6))}`);
    assert.equal(res.body, tykError('Service Unavailable: upstream connection pool is full'));
    await hasLog(gw, 'upstream connection pool full: request refused', { limit: 'upstream_pool', api_id: 'hang' });
  });
});
