import assert from 'node:assert/strict';
import { connect, createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { keylessApi } from '../helpers/apis.js';
import { startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { request, tykError } from '../helpers/http.js';
import { startUpstream, type ReceivedRequest, type TestUpstream } from '../helpers/upstream.js';

/** A port nothing listens on: bound, then closed. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('proxying through the gateway', () => {
  let one: TestUpstream;
  let two: TestUpstream;
  let gw: GatewayProcess;
  let dead: number;

  const lastTo = (upstream: TestUpstream, marker: string): ReceivedRequest | undefined =>
    upstream.received.find((r) => r.url.includes(marker));

  before(async () => {
    one = await startUpstream();
    two = await startUpstream();
    dead = await deadPort();
    gw = await startGatewayProcess({
      config: { proxy_default_timeout: 0.5 },
      apis: {
        'a.json': keylessApi('a', '/a/', `${one.origin}/base`),
        'ab.json': keylessApi('ab', '/a/b/', two.origin, { strip_listen_path: false }),
        'keep.json': keylessApi('keep', '/keep/', one.origin, { strip_listen_path: false, preserve_host_header: true }),
        'dead.json': keylessApi('dead', '/dead/', `http://127.0.0.1:${dead}`),
        'hung.json': keylessApi('hung', '/hung/', `${one.origin}/hang`),
        'query.json': keylessApi('query', '/q/', `${one.origin}/?fixed=1`),
      },
    });
  });
  after(async () => {
    await gw.stop();
    await one.close();
    await two.close();
  });

  it('routes by the longest listen path', async () => {
    const deep = await request(gw.url('/a/b/c?m=deep'));
    assert.equal(deep.status, 200);
    assert.equal(lastTo(two, 'm=deep')?.url, '/a/b/c?m=deep');
    const shallow = await request(gw.url('/a/x?m=shallow'));
    assert.equal(shallow.status, 200);
    assert.equal(lastTo(one, 'm=shallow')?.url, '/base/x?m=shallow');
  });

  it('matches listen paths on whole segments only', async () => {
    const res = await request(gw.url('/ab/c'));
    assert.equal(res.status, 404);
    const res2 = await request(gw.url('/keeper'));
    assert.equal(res2.status, 404);
  });

  it('strips the listen path only when asked, and sends the upstream its own Host unless preserve_host_header', async () => {
    await request(gw.url('/a/strip?m=strip'), { headers: { host: 'public.example:8443' } });
    const stripped = lastTo(one, 'm=strip');
    assert.equal(stripped?.url, '/base/strip?m=strip');
    assert.equal(stripped?.headers.host, `127.0.0.1:${one.port}`);
    assert.equal(stripped?.headers['x-forwarded-host'], 'public.example:8443');

    await request(gw.url('/keep/x?m=keep'), { headers: { host: 'public.example:8443' } });
    const kept = lastTo(one, 'm=keep');
    assert.equal(kept?.url, '/keep/x?m=keep');
    assert.equal(kept?.headers.host, 'public.example:8443');
  });

  it('keeps query strings byte for byte, after the target URL\'s own query', async () => {
    await request(gw.url('/a/x?b=2&a=1&a=3&enc=%20%2F%3F&flag&m=query1'));
    assert.equal(lastTo(one, 'm=query1')?.url, '/base/x?b=2&a=1&a=3&enc=%20%2F%3F&flag&m=query1');
    await request(gw.url('/q/y?m=query2'));
    assert.equal(lastTo(one, 'm=query2')?.url, '/y?fixed=1&m=query2');
  });

  it('forwards end-to-end headers both ways and drops hop-by-hop ones', async () => {
    const res = await request(gw.url('/a/h?m=headers'), {
      headers: { 'x-custom': 'one', connection: 'close, x-private', 'x-private': 'secret', 'x-forwarded-for': '203.0.113.9', te: 'trailers' },
    });
    const seen = lastTo(one, 'm=headers');
    assert.equal(seen?.headers['x-custom'], 'one');
    assert.equal(seen?.headers['x-private'], undefined);
    assert.equal(seen?.headers['te'], undefined);
    assert.equal(seen?.headers['x-forwarded-for'], '203.0.113.9, 127.0.0.1');
    assert.equal(seen?.headers['x-forwarded-proto'], 'http');

    assert.equal(res.headers['x-upstream'], 'test');
    assert.deepEqual(res.headers['set-cookie'], ['a=1; Path=/', 'b=2; Path=/']);
    assert.equal(res.headers['x-hop-by-hop'], undefined);
    assert.equal(res.headers['keep-alive'], undefined);
  });

  it('passes request bodies and upstream statuses through', async () => {
    const body = JSON.stringify({ hello: 'world', n: [1, 2, 3] });
    const res = await request(gw.url('/a/status?code=201&m=body'), { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    assert.equal(res.status, 201);
    const seen = res.json() as ReceivedRequest;
    assert.equal(seen.method, 'POST');
    assert.equal(seen.bodyBytes, Buffer.byteLength(body));
    assert.equal(seen.headers['content-type'], 'application/json');
    const teapot = await request(gw.url('/a/status?code=418'));
    assert.equal(teapot.status, 418);
    const head = await request(gw.url('/a/x?m=head'), { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
  });

  it('answers an unknown path with 404 in Tyk\'s error shape (JSON, or XML for XML requests)', async () => {
    const res = await request(gw.url('/nowhere'));
    assert.equal(res.status, 404);
    assert.equal(res.headers['content-type'], 'application/json');
    assert.equal(res.text(), tykError('Not Found'));
    const xml = await request(gw.url('/nowhere'), { method: 'POST', headers: { 'content-type': 'text/xml' }, body: '<a/>' });
    assert.equal(xml.status, 404);
    assert.equal(xml.headers['content-type'], 'text/xml');
    assert.equal(xml.text(), '<?xml version = "1.0" encoding = "UTF-8"?>\n<error>Not Found</error>\n');
  });

  it('answers 502 when the upstream refuses the connection, and logs the API and upstream', async () => {
    const res = await request(gw.url('/dead/x'));
    assert.equal(res.status, 502);
    assert.equal(res.text(), tykError('There was a problem proxying the request'));
    const line = await gw.waitForLog((l) => l.msg === 'upstream request failed' && l['api_id'] === 'dead');
    assert.equal(line['upstream'], `http://127.0.0.1:${dead}`);
    assert.equal(line['error_code'], 'HG_ERR_UPSTREAM_UNREACHABLE');
  });

  it('answers 504 when the upstream does not answer within proxy_default_timeout', async () => {
    const started = Date.now();
    const res = await request(gw.url('/hung/x'));
    const elapsed = Date.now() - started;
    assert.equal(res.status, 504);
    assert.equal(res.text(), tykError('Upstream service reached hard timeout.'));
    assert.ok(elapsed >= 450, `answered after ${elapsed} ms, before the 500 ms timeout`);
    const line = await gw.waitForLog((l) => l.msg === 'upstream request failed' && l['api_id'] === 'hung');
    assert.equal(line['error_code'], 'HG_ERR_UPSTREAM_TIMEOUT');
  });

  it('writes one access-log line per request with api, method, path, status and latencies', async () => {
    await request(gw.url('/a/logged?m=log'));
    const line = await gw.waitForLog((l) => l['component'] === 'access' && l['path'] === '/a/logged');
    assert.equal(line['api_id'], 'a');
    assert.equal(line['method'], 'GET');
    assert.equal(line['status'], 200);
    assert.equal(typeof line['latency_ms'], 'number');
    assert.equal(typeof line['upstream_latency_ms'], 'number');
    assert.ok((line['upstream_latency_ms'] as number) <= (line['latency_ms'] as number));
  });

  it('refuses a request with two Host headers with 400, sending nothing upstream', async () => {
    const before = one.received.length;
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(gw.port, '127.0.0.1', () => {
        socket.write('GET /a/x?m=twohosts HTTP/1.1\r\nHost: one.example\r\nHost: two.example\r\nConnection: close\r\n\r\n');
      });
      let data = '';
      socket.setEncoding('utf8').on('data', (c: string) => (data += c));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    assert.match(reply, /^HTTP\/1\.1 400 /);
    assert.ok(reply.endsWith(tykError('Bad Request')));
    assert.equal(one.received.length, before);
  });

  it('never logs credentials sent by clients', async () => {
    await request(gw.url('/a/creds?m=creds&'), { headers: { authorization: 'Bearer sekrit-token-123', cookie: 'session=sekrit-cookie' } });
    await gw.waitForLog((l) => l['path'] === '/a/creds');
    const all = gw.logs.map((l) => JSON.stringify(l)).join('\n');
    assert.doesNotMatch(all, /sekrit/);
  });
});

describe('refused API definitions', () => {
  let up: TestUpstream;
  let gw: GatewayProcess;

  before(async () => {
    up = await startUpstream();
    gw = await startGatewayProcess({
      apis: {
        'root.json': keylessApi('root', '/', up.origin, { strip_listen_path: false }),
        'good.json': keylessApi('good', '/good/', up.origin),
        'broken.json': { api_id: 'broken', use_keyless: true, proxy: { listen_path: '/broken/', target_url: 'not a url' } },
        // OAuth 2.0 is not implemented: the definition is refused, and its listen path must stay blocked.
        'private.json': { ...keylessApi('private', '/private/', up.origin), use_keyless: false, use_oauth2: true },
      },
    });
  });
  after(async () => {
    await gw.stop();
    await up.close();
  });

  it('are refused with a log line naming the file and field, while the other APIs serve', async () => {
    const line = await gw.waitForLog((l) => l.msg.startsWith('API refused') && l['api_id'] === 'broken');
    assert.match(String(line['file']), /broken\.json$/);
    assert.equal(line['field'], 'proxy.target_url');
    assert.equal((await request(gw.url('/good/x'))).status, 200);
  });

  it('keep their listen path blocked (404) instead of falling through to a shorter listen path', async () => {
    const before = up.received.length;
    for (const path of ['/broken/x', '/private/admin', '/public/../private/admin', '/x/%2e%2e/private/admin', '/private']) {
      const res = await request(gw.url(path));
      assert.equal(res.status, 404, path);
      assert.equal(res.text(), tykError('Not Found'));
    }
    assert.equal(up.received.length, before, 'nothing reached the upstream through the root API');
    assert.equal((await request(gw.url('/other'))).status, 200);
  });
});
