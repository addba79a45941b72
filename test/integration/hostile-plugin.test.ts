import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { coprocessConfig, pluginApi } from '../helpers/apis.js';
import { startGatewayProcess, type GatewayProcess } from '../helpers/gateway-process.js';
import { decodeObject, encodeObject, startBytesPlugin, startFramePlugin, type FrameReply } from '../helpers/garbage-plugin.js';
import { rawExchange, type RawResult } from '../helpers/raw-http.js';
import { startUpstream, type TestUpstream } from '../helpers/upstream.js';

/**
 * Random bytes as plugin replies: as the Dispatch message inside a valid gRPC frame (grpc-js
 * server, identity serializers), as structured Objects with hostile field values, and as HTTP/2
 * framing garbage (bare HTTP/2 server). Every request gets a whole HTTP answer; an auth hook
 * passes only when the bytes decode to an Object with a session and a token; the gateway lives on.
 */

export const RUNS = { messageBytes: 150, structured: 150, frames: 120 } as const;
const SEED = 1103;
const DEADLINE_MS = 500;

describe('hostile input: garbage plugin replies', () => {
  let up: TestUpstream;
  let bytesPlugin: Awaited<ReturnType<typeof startBytesPlugin>>;
  let framePlugin: Awaited<ReturnType<typeof startFramePlugin>>;
  let gw: GatewayProcess;

  before(async () => {
    up = await startUpstream();
    bytesPlugin = await startBytesPlugin();
    framePlugin = await startFramePlugin();
    const on = (server: string) => ({ hookgate: { plugin_server: server } });
    gw = await startGatewayProcess({
      config: { ...coprocessConfig(bytesPlugin.address, { dispatch_timeout_ms: DEADLINE_MS }), access_logs: { enabled: false } },
      apis: {
        'pre.json': pluginApi('pre', '/pre/', up.origin, { pre: [{ name: 'Pre' }] }, on(bytesPlugin.address)),
        'auth.json': pluginApi('auth', '/auth/', `${up.origin}/authed`, { auth_check: { name: 'Auth' } }, on(bytesPlugin.address)),
        'resp.json': pluginApi('resp', '/resp/', up.origin, { response: [{ name: 'Resp' }] }, on(bytesPlugin.address)),
        'fpre.json': pluginApi('fpre', '/fpre/', up.origin, { pre: [{ name: 'Pre' }] }, on(framePlugin.address)),
        'fauth.json': pluginApi('fauth', '/fauth/', `${up.origin}/authed`, { auth_check: { name: 'Auth' } }, on(framePlugin.address)),
      },
    });
  });
  after(async () => {
    await gw.stop();
    await bytesPlugin.stop();
    await framePlugin.stop();
    await up.close();
  });

  const call = (path: string): Promise<RawResult> =>
    rawExchange(gw.port, [`GET ${path} HTTP/1.1\r\nHost: gw\r\nAuthorization: some-token\r\nConnection: close\r\n\r\n`], { waitMs: DEADLINE_MS + 5000 });

  /** A whole answer with a real status (or, after a response hook, a cut response), never a hang. */
  function assertAnswered(res: RawResult, what: string): void {
    assert.ok(res.closed, `${what}: no answer within the deadline plus 5 s`);
    assert.ok(res.status >= 100 && res.status <= 999, `${what}: no parseable status: ${JSON.stringify(res.raw.toString('latin1').slice(0, 200))}`);
  }

  /** An auth pass is legitimate only if the reply really carried a session and a token. */
  function assertAuthFailsClosed(res: RawResult, bytes: Buffer | undefined, path: string): void {
    const authed = up.received.filter((r) => r.url.startsWith('/authed')).length;
    if (res.status >= 200 && res.status < 300) {
      const decoded = bytes === undefined ? undefined : decodeObject(bytes);
      const session = decoded?.['session'] as { metadata?: Record<string, string> } | null | undefined;
      const token = (decoded?.['metadata'] as Record<string, string> | undefined)?.['token'] || session?.metadata?.['token'];
      assert.ok(session != null && token, `${path}: auth passed (${res.status}) on a reply without session and token`);
    }
    return void authed;
  }

  async function assertAlive(): Promise<void> {
    const hello = await rawExchange(gw.port, ['GET /hello HTTP/1.1\r\nHost: gw\r\nConnection: close\r\n\r\n']);
    assert.equal(hello.status, 200);
    assert.equal(gw.child.exitCode, null);
    // A reply the gateway cannot use is the plugin's failure (logged as such), never a bug of ours.
    const internal = gw.logs.filter((l) => l.msg === 'request handler failed');
    assert.equal(internal.length, 0, JSON.stringify(internal.slice(0, 3)));
  }

  const tally = (counts: Map<number, number>, res: RawResult) => counts.set(res.status, (counts.get(res.status) ?? 0) + 1);

  it('a method that is not an HTTP token, or CONNECT, fails the hook (500) instead of looking like a dead upstream (502)', async () => {
    for (const method of ['G E T', 'CONNECT']) {
      bytesPlugin.reply.bytes = encodeObject({ hook_name: 'Pre', request: { method, url: '/pre/x' } });
      const before = up.received.length;
      const res = await call('/pre/x');
      assert.equal(res.status, 500, method);
      assert.match(res.body, /"error": "Middleware error"/);
      assert.equal(up.received.length, before);
    }
    await gw.waitForLog((l) => l.msg === 'hook reply refused' && String(l['reason']).includes('invalid method'));
  });

  it(`random bytes as the Dispatch message (${RUNS.messageBytes} cases)`, async (t) => {
    const counts = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 600 }), fc.constantFrom('/pre/x', '/auth/x', '/resp/x'), async (bytes, path) => {
        bytesPlugin.reply.bytes = Buffer.from(bytes);
        const res = await call(path);
        tally(counts, res);
        assertAnswered(res, path);
        if (path === '/auth/x') assertAuthFailsClosed(res, Buffer.from(bytes), path);
      }),
      { seed: SEED, numRuns: RUNS.messageBytes, endOnFailure: true },
    );
    t.diagnostic(`message-bytes statuses: ${JSON.stringify(Object.fromEntries(counts))}`);
    await assertAlive();
  });

  it(`structured Objects with hostile values (${RUNS.structured} cases)`, async (t) => {
    const counts = new Map<number, number>();
    const text = fc.oneof(fc.string({ maxLength: 30 }), fc.stringMatching(/^[\x00-\x1f\x7f-\xff:\r\n ]{0,10}$/), fc.constantFrom('', 'content-length', 'transfer-encoding', 'Set-Cookie', 'X-Ok', '\r\nX-Injected: 1'));
    const dict = fc.dictionary(text, text, { maxKeys: 4 });
    const object = fc.record(
      {
        hook_name: text,
        metadata: dict,
        request: fc.record(
          {
            headers: dict,
            set_headers: dict,
            delete_headers: fc.array(text, { maxLength: 3 }),
            body: text,
            url: fc.oneof(text, fc.constantFrom('/', '//evil', 'http://evil/x', '/../../etc', '%2f..')),
            method: fc.oneof(text, fc.constantFrom('GET', 'CONNECT', 'G E T', '')),
            add_params: dict,
            delete_params: fc.array(text, { maxLength: 3 }),
            return_overrides: fc.record(
              { response_code: fc.integer({ min: -5, max: 100_000 }), response_error: text, headers: dict, override_error: fc.boolean(), response_body: text },
              { requiredKeys: [] },
            ),
          },
          { requiredKeys: [] },
        ),
        session: fc.option(fc.record({ rate: fc.double({ noNaN: false }), per: fc.double(), quota_max: fc.integer(), expires: fc.integer(), metadata: dict }, { requiredKeys: [] }), { nil: undefined }),
        response: fc.option(fc.record({ status_code: fc.integer({ min: -5, max: 100_000 }), body: text, headers: dict }, { requiredKeys: [] }), { nil: undefined }),
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(object, fc.constantFrom('/pre/x', '/auth/x', '/resp/x'), async (value, path) => {
        let bytes: Buffer;
        try {
          bytes = encodeObject(value);
        } catch {
          return; // not encodable as the proto says (protobufjs refuses it): not a reply a plugin can send
        }
        bytesPlugin.reply.bytes = bytes;
        const res = await call(path);
        tally(counts, res);
        assertAnswered(res, `${path} ${JSON.stringify(value).slice(0, 300)}`);
        if (path === '/auth/x') assertAuthFailsClosed(res, bytes, path);
      }),
      { seed: SEED, numRuns: RUNS.structured, endOnFailure: true },
    );
    t.diagnostic(`structured statuses: ${JSON.stringify(Object.fromEntries(counts))}`);
    const upstreamFailures = gw.logs.filter((l) => l.msg === 'upstream request failed').map((l) => `${String(l['error_code'])}: ${String(l['err'])}`);
    t.diagnostic(`upstream failures after plugin edits: ${JSON.stringify([...new Set(upstreamFailures)].slice(0, 5))}`);
    await assertAlive();
  });

  it(`HTTP/2 framing garbage (${RUNS.frames} cases)`, async (t) => {
    const counts = new Map<number, number>();
    const frame = fc.record({
      status: fc.constantFrom(200, 200, 200, 404, 500, 503),
      contentType: fc.constantFrom<string | undefined>('application/grpc', 'application/grpc', 'application/grpc+proto', 'text/html', undefined),
      body: fc.oneof(
        fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
        // A frame header that promises more (or other) than follows.
        fc.tuple(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.uint8Array({ maxLength: 100 })).map(([flag, length, rest]) => {
          const head = Buffer.alloc(5);
          head.writeUInt8(flag, 0);
          head.writeUInt32BE(length, 1);
          return Buffer.concat([head, Buffer.from(rest)]);
        }),
      ),
      grpcStatus: fc.constantFrom<string | undefined>('0', '0', '2', '13', '16', 'abc', '-1', undefined),
      grpcMessage: fc.string({ maxLength: 40 }),
      reset: fc.boolean(),
    });
    await fc.assert(
      fc.asyncProperty(frame, fc.constantFrom('/fpre/x', '/fauth/x'), async (value: FrameReply, path) => {
        framePlugin.reply.value = value;
        const res = await call(path);
        tally(counts, res);
        assertAnswered(res, `${path} ${JSON.stringify({ ...value, body: value.body.toString('hex').slice(0, 40) })}`);
        if (path === '/fauth/x') {
          const ok = value.status === 200 && (value.contentType ?? '').startsWith('application/grpc') && value.grpcStatus === '0' && !value.reset;
          const message = value.body.length >= 5 && value.body.readUInt8(0) === 0 && value.body.readUInt32BE(1) === value.body.length - 5 ? value.body.subarray(5) : undefined;
          assertAuthFailsClosed(res, ok ? message : undefined, path);
        }
      }),
      { seed: SEED, numRuns: RUNS.frames, endOnFailure: true },
    );
    t.diagnostic(`frame statuses: ${JSON.stringify(Object.fromEntries(counts))}`);
    await assertAlive();
  });
});
