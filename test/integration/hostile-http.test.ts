import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { keylessApi } from '../helpers/apis.js';
import { startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { rawExchange, type RawResult } from '../helpers/raw-http.js';
import { startUpstream, type TestUpstream } from '../helpers/upstream.js';

/**
 * Malformed and oversized HTTP/1.1 over raw sockets, and request smuggling attempts. Every case
 * gets an answer below 500 or a closed connection, never a hang; the upstream never sees a
 * request the gateway did not route (anything with "smuggled" in its path); the gateway lives on.
 */

export const RUNS = { requestLine: 150, headers: 150, chunked: 150, smuggling: 250 } as const;
const SEED = 1102;

describe('hostile input: malformed HTTP and request smuggling', () => {
  let up: TestUpstream;
  let gw: GatewayProcess;

  before(async () => {
    up = await startUpstream();
    gw = await startGatewayProcess({
      config: {
        access_logs: { enabled: false },
        http_server_options: { read_timeout: 2 },
        hookgate: { limits: { header_timeout_ms: 1000 } },
      },
      apis: { 'open.json': keylessApi('open', '/open/', up.origin) },
    });
  });
  after(async () => {
    await gw.stop();
    await up.close();
  });

  /**
   * Sends the bytes and takes the first response. A request the parser still finds incomplete
   * gets no answer yet: the gateway waits for the rest, as it should, until header_timeout_ms or
   * read_timeout (limits.test.ts shows those answer 408); such a case is counted as "waiting".
   * (Node's server treats a client's half-close as an abort, so the test cannot end its side.)
   */
  const send = (bytes: string): Promise<RawResult> => rawExchange(gw.port, [Buffer.from(bytes, 'latin1')], { firstResponse: true, waitMs: 400 });

  /** Answered below 500, closed, or still waiting for the rest of an incomplete request. */
  function assertHandled(res: RawResult, what: string): void {
    assert.ok(res.status < 500, `${what}: got ${res.status} ${res.body}`);
    if (res.status === 0 && res.raw.length > 0) assert.fail(`${what}: an unparseable answer ${JSON.stringify(res.raw.toString('latin1').slice(0, 200))}`);
  }

  async function assertAlive(): Promise<void> {
    const hello = await rawExchange(gw.port, ['GET /hello HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n']);
    assert.equal(hello.status, 200);
    assert.equal(gw.child.exitCode, null);
    assert.equal(up.received.filter((r) => r.url.includes('smuggled')).length, 0, 'the upstream saw a smuggled request');
  }

  const tally = (counts: Map<string, number>, res: RawResult) => {
    const key = res.status !== 0 ? String(res.status) : res.closed ? 'closed' : 'waiting';
    counts.set(key, (counts.get(key) ?? 0) + 1);
  };

  it('refuses a transfer coding other than chunked (the upstream would get the body without it)', async () => {
    for (const te of ['gzip, chunked', 'identity, chunked']) {
      const res = await send(`POST /open/te HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: ${te}\r\n\r\n5\r\nhello\r\n0\r\n\r\n`);
      assert.equal(res.status, 400, te);
      assert.match(res.body, /"error": "Bad Request"/);
    }
    await gw.waitForLog((l) => l.msg === 'unsupported transfer coding refused');
    assert.equal(up.received.filter((r) => r.url.includes('te')).length, 0);
  });

  it('a malformed request pipelined behind a good one does not take the good one\'s answer', async () => {
    const res = await rawExchange(gw.port, ['GET /open/slow?ms=200 HTTP/1.1\r\nHost: gw\r\n\r\nNOT HTTP AT ALL\r\n\r\n'], { waitMs: 5000 });
    assert.equal(res.status, 200, res.raw.toString('latin1').slice(0, 300));
    assert.ok(res.closed, 'the connection is closed after the good response');
    assert.ok(up.received.some((r) => r.url.startsWith('/slow')));
  });

  it(`request lines (${RUNS.requestLine} cases)`, async (t) => {
    const counts = new Map<string, number>();
    const method = fc.oneof({ arbitrary: fc.constant('GET'), weight: 4 }, fc.constantFrom('POST', 'get', 'G ET', '', 'PRI', 'CONNECT', 'GET\t'), fc.stringMatching(/^[!-~]{1,12}$/));
    const target = fc.oneof(
      { arbitrary: fc.stringMatching(/^\/open\/[!-~]{0,30}$/), weight: 3 },
      fc.constantFrom('/open/x', '*', '/', 'http://gw/open/', '//', '/open/%', '/open/\x7f', '/open/\x00', `/open/${'a'.repeat(40_000)}`),
      fc.string({ maxLength: 200 }),
      fc.stringMatching(/^\/open\/[\x00-\xff]{0,100}$/),
    );
    const version = fc.oneof({ arbitrary: fc.constant('HTTP/1.1'), weight: 4 }, fc.constantFrom('HTTP/1.0', 'HTTP/2.0', 'HTTP/1.9', 'HTTP/1', 'http/1.1', '', 'HTTP/1.1 x'));
    const eol = fc.oneof({ arbitrary: fc.constant('\r\n'), weight: 4 }, fc.constantFrom('\n', '\r', '\r\r\n'));
    await fc.assert(
      fc.asyncProperty(method, target, version, eol, async (m, tg, v, e) => {
        const res = await send(`${m} ${tg} ${v}${e}Host: gw${e}Connection: close${e}${e}`);
        tally(counts, res);
        assertHandled(res, JSON.stringify(`${m} ${tg.slice(0, 80)} ${v}`));
      }),
      { seed: SEED, numRuns: RUNS.requestLine, endOnFailure: true },
    );
    t.diagnostic(`request-line statuses: ${JSON.stringify(Object.fromEntries(counts))}`);
    await assertAlive();
  });

  it(`header sections (${RUNS.headers} cases)`, async (t) => {
    const counts = new Map<string, number>();
    const line = fc.oneof(
      fc.constantFrom('X-A: b', ' folded continuation', '\tfolded', 'NoColon', ': empty-name', 'Host: other', 'Content-Length: x', 'X-Bin: \x80\xff', 'X-Nul: a\x00b', 'X-Cr: a\rb'),
      fc.tuple(fc.stringMatching(/^[\x21-\x7e ]{0,20}$/), fc.stringMatching(/^[\x00-\xff]{0,40}$/)).map(([n, v]) => `${n}: ${v.replace(/[\r\n]/g, '')}`),
      fc.constant(`X-Huge: ${'h'.repeat(40_000)}`),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(line, { maxLength: 120 }), async (lines) => {
        const res = await send(`GET /open/h HTTP/1.1\r\nHost: gw\r\n${lines.map((l) => `${l}\r\n`).join('')}Connection: close\r\n\r\n`);
        tally(counts, res);
        assertHandled(res, JSON.stringify(lines.map((l) => l.slice(0, 40))));
      }),
      { seed: SEED, numRuns: RUNS.headers, endOnFailure: true },
    );
    t.diagnostic(`header statuses: ${JSON.stringify(Object.fromEntries(counts))}`);
    await assertAlive();
  });

  it(`chunked bodies (${RUNS.chunked} cases)`, async (t) => {
    const counts = new Map<string, number>();
    const chunk = fc.tuple(
      fc.integer({ min: 0, max: 300 }),
      fc.constantFrom('hex', 'HEX', 'zeros', 'ext', 'space', 'neg', 'huge', 'junk', 'empty'),
      fc.integer({ min: -3, max: 3 }),
      fc.constantFrom('\r\n', '\n', '', 'xx'),
    ).map(([size, form, skew, end]) => {
      const hex = size.toString(16);
      const sizes: Record<string, string> = { hex, HEX: hex.toUpperCase(), zeros: `000${hex}`, ext: `${hex};a=b`, space: ` ${hex}`, neg: `-${hex}`, huge: 'ffffffffffffffffff', junk: 'zz', empty: '' };
      return `${sizes[form] ?? hex}\r\n${'d'.repeat(Math.max(0, size + skew))}${end}`;
    });
    const last = fc.constantFrom('0\r\n\r\n', '0\r\nX-Trailer: t\r\n\r\n', '0\r\n', '', '00\r\n\r\n', '0;x=y\r\n\r\n');
    await fc.assert(
      fc.asyncProperty(fc.array(chunk, { maxLength: 6 }), last, async (chunks, end) => {
        const res = await send(`POST /open/c HTTP/1.1\r\nHost: gw\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n${chunks.join('')}${end}`);
        tally(counts, res);
        assertHandled(res, JSON.stringify([...chunks.map((c) => c.slice(0, 30)), end]));
      }),
      { seed: SEED, numRuns: RUNS.chunked, endOnFailure: true },
    );
    t.diagnostic(`chunked statuses: ${JSON.stringify(Object.fromEntries(counts))}`);
    await assertAlive();
  });

  it(`smuggling: Content-Length with Transfer-Encoding, duplicate lengths, obs-fold, bare CR/LF (${RUNS.smuggling} cases)`, async (t) => {
    const counts = new Map<string, number>();
    const smuggled = 'GET /smuggled HTTP/1.1\r\nHost: gw\r\n\r\n';
    const teName = fc.constantFrom('Transfer-Encoding', 'transfer-encoding', 'Transfer-Encoding ', 'Transfer_Encoding', ' Transfer-Encoding', 'X-Pad: 1\r\n Transfer-Encoding');
    const teValue = fc.constantFrom('chunked', ' chunked', 'chunked ', 'Chunked', 'chunked, identity', 'identity, chunked', 'xchunked', 'chunked\t', 'chunk', 'chunked;q=1', 'gzip, chunked', 'chunked\r\n Transfer-Encoding: x');
    const cl = fc.constantFrom('none', 'Content-Length: 4', 'Content-Length: 4\r\nContent-Length: 4', 'Content-Length: 4\r\nContent-Length: 40', 'Content-Length: +4', 'Content-Length: 4, 4', 'Content-Length: 04', 'Content-Length: 0x4', 'Content-Length : 4', 'Content-Length: 4\r\n folded');
    const eol = fc.constantFrom('\r\n', '\n', '\r');
    await fc.assert(
      fc.asyncProperty(fc.option(fc.tuple(teName, teValue), { nil: undefined }), cl, eol, async (te, length, e) => {
        const framing = [te === undefined ? '' : `${te[0]}: ${te[1]}`, length === 'none' ? '' : length].filter((l) => l !== '');
        const headers = ['Host: gw', ...framing, 'Connection: keep-alive'].join(e);
        const body = `0\r\n\r\n${smuggled}`;
        const res = await send(`POST /open/s HTTP/1.1${e}${headers}${e}${e}${body}`);
        tally(counts, res);
        const what = JSON.stringify({ te, length, e });
        assertHandled(res, what);
        // What RFC 9112 says must not be accepted: a real Transfer-Encoding that is not exactly
        // "chunked" alone, framing headers with broken syntax (space before the colon, folded),
        // lengths that disagree or are not plain digits, a bare CR line ending. ("Transfer_Encoding"
        // is just another header name; identical duplicate lengths may be accepted.)
        const realTe = te !== undefined && te[0].toLowerCase() === 'transfer-encoding';
        const brokenSyntax = (te !== undefined && /^ |\r\n | $/.test(te[0])) || (te !== undefined && realTe && te[1].includes('\r\n'));
        const badLength = ['Content-Length: 4\r\nContent-Length: 40', 'Content-Length: +4', 'Content-Length: 0x4', 'Content-Length : 4', 'Content-Length: 4\r\n folded'].includes(length);
        const mustRefuse = (realTe && (te[1].trim().toLowerCase() !== 'chunked' || length !== 'none')) || brokenSyntax || badLength || e === '\r';
        if (mustRefuse) assert.ok(res.status === 400 || res.closed, `${what}: ambiguous framing answered ${res.status || 'nothing'}`);
        assert.equal(up.received.filter((r) => r.url.includes('smuggled')).length, 0, `${what}: the upstream saw the smuggled request`);
      }),
      { seed: SEED, numRuns: RUNS.smuggling, endOnFailure: true },
    );
    t.diagnostic(`smuggling statuses: ${JSON.stringify(Object.fromEntries(counts))}`);
    await assertAlive();
  });
});
