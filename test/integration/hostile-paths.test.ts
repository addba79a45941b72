import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { keylessApi } from '../helpers/apis.js';
import { control, keySession, SECRET } from '../helpers/control.js';
import { startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { rawExchange } from '../helpers/raw-http.js';
import { startUpstream, type TestUpstream } from '../helpers/upstream.js';

/**
 * Path tricks against a keyless API at "/" and at "/open/" and a token API at "/admin/", all in
 * front of one upstream. Each API has its own upstream prefix (/k, /o, /p), so every arrival says
 * which API forwarded it. The upstream is read as the most lenient server would read it (decoded
 * twice, backslashes as slashes, ";params" and trailing dots dropped, case folded, dots resolved):
 * nothing without a token may arrive through the token API, and nothing that a lenient server
 * would serve as /admin or /open may arrive through another API.
 */

export const PATH_RUNS = 400;

/** The test's own lenient reading, written independently of the gateway's lenientView. */
function upstreamReads(path: string): string {
  let s = path;
  for (let i = 0; i < 2; i++) s = s.replace(/%([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  s = s.split(/[#?\0]/)[0] ?? '';
  const out: string[] = [];
  for (const raw of s.replace(/\\/g, '/').split('/')) {
    let seg = raw.split(';')[0] ?? '';
    if (seg !== '.' && seg !== '..') seg = seg.replace(/[. ]+$/, '');
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg.toLowerCase());
  }
  return `/${out.join('/')}`;
}

const under = (path: string, prefix: string) => path === prefix || path.startsWith(`${prefix}/`);

const SEGMENTS = [
  'admin', 'ADMIN', 'Admin', 'open', 'OPEN', 'x', 'file.json', '.', '..', '...', '%2e', '%2E%2e', '.%2e', '..;', '..;x', ';a', 'admin;x',
  'admin.', 'admin..', 'admin%20', 'admin%2e', '%61dmin', 'adm%69n', '%41DMIN', '%6fpen', '', '%2f', '%2F', '%5c', '\\', '%00',
  '%2fadmin', '..%2fadmin', '..%5cadmin', '%252e%252e', '%25', '%', '%zz', '~', 'admin#', '%23', 'admin%3bx', 'admin%3f', '%09',
];

const pathArb = fc
  .array(fc.tuple(fc.constantFrom('/', '//', '/./', '/../'), fc.constantFrom(...SEGMENTS)), { minLength: 1, maxLength: 6 })
  .map((parts) => parts.map(([sep, seg]) => sep + seg).join(''));

describe('hostile input: path tricks toward a protected API', () => {
  let up: TestUpstream;
  let gw: GatewayProcess;
  let token = '';

  before(async () => {
    up = await startUpstream();
    gw = await startGatewayProcess({
      config: { secret: SECRET, access_logs: { enabled: false } },
      apis: {
        'root.json': keylessApi('root', '/', `${up.origin}/k`, { strip_listen_path: false }),
        'open.json': keylessApi('open', '/open/', `${up.origin}/o`, { strip_listen_path: false }),
        'admin.json': { ...keylessApi('admin', '/admin/', `${up.origin}/p`, { strip_listen_path: false }), use_keyless: false, use_standard_auth: true },
      },
    });
    const created = await control(gw.url(''), 'POST', '/tyk/keys/create', keySession('admin', 'test-org'));
    assert.equal(created.status, 200, created.text());
    token = (created.json() as { key: string }).key;
  });
  after(async () => {
    await gw.stop();
    await up.close();
  });

  it(`never reaches an API through a path a lenient upstream reads as another's (${PATH_RUNS} cases)`, async (t) => {
    const statuses = new Map<number, number>();
    let arrivals = 0;
    let n = 0;
    await fc.assert(
      fc.asyncProperty(pathArb, fc.boolean(), fc.boolean(), async (path, withToken, absolute) => {
        const id = `case-${n++}`;
        const target = absolute ? `http://gw${path}` : path;
        const auth = withToken ? `Authorization: ${token}\r\n` : '';
        const res = await rawExchange(gw.port, [`GET ${target} HTTP/1.1\r\nHost: gw\r\nX-Case: ${id}\r\n${auth}Connection: close\r\n\r\n`], { waitMs: 5000 });
        statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
        assert.ok(res.closed, `${target}: the gateway answers and closes`);
        assert.ok(res.status >= 200 && res.status < 500, `${target}: got ${res.status} ${res.body}`);
        const arrival = up.received.find((r) => r.headers['x-case'] === id);
        if (arrival === undefined) return;
        arrivals++;
        const via = arrival.url.slice(0, 2);
        const reads = upstreamReads(arrival.url.slice(2));
        if (via === '/p') {
          assert.ok(withToken, `${target} reached the token API's upstream without a token (as ${arrival.url})`);
          assert.ok(under(reads, '/admin'), `${target} went through /admin/ but the upstream reads ${reads}`);
        } else if (via === '/o') {
          assert.ok(under(reads, '/open'), `${target} went through /open/ but the upstream reads ${reads}`);
        } else {
          assert.equal(via, '/k');
          assert.ok(!under(reads, '/admin') && !under(reads, '/open'), `${target} went through / but the upstream reads ${reads}`);
        }
      }),
      { seed: 1101, numRuns: PATH_RUNS, endOnFailure: true },
    );
    t.diagnostic(`path cases: ${n}, upstream arrivals: ${arrivals}, statuses: ${JSON.stringify(Object.fromEntries(statuses))}`);
    const hello = await rawExchange(gw.port, ['GET /hello HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n']);
    assert.equal(hello.status, 200);
  });

  it('refuses each known trick with 400 and Tyk\'s error body', async () => {
    for (const path of ['/open/..%2fadmin', '/open/..;/admin', '/ADMIN/x', '/admin./x', '/admin;x/y', '/open/%252e%252e/admin', '/open\\..\\admin', '/admin%00']) {
      const res = await rawExchange(gw.port, [`GET ${path} HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n`]);
      assert.equal(res.status, 400, `${path}: ${res.raw.toString()}`);
      assert.match(res.body, /"error": "Bad Request/);
    }
    await gw.waitForLog((l) => l.msg === 'ambiguous request path refused');
    // Spellings that mean the same path are served as that path.
    const same = await rawExchange(gw.port, ['GET //%6fpen/./x HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n']);
    assert.equal(same.status, 200);
    assert.ok(up.received.some((r) => r.url === '/o/open/x'));
  });
});
