// The lean transport against an independent server: @grpc/grpc-js with proto-loader, as a Tyk
// user writes a plugin (test/helpers/grpc-plugin.ts). Each case runs on both transports, and
// where they fail, both must fail the same way (kind, gRPC code, message): grpc-js is the reference.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { DISPATCH_EVENT_PATH, encodeEvent } from '../../coprocess/protocol/index.js';
import { startGrpcPlugin, type GrpcPlugin, type HookHandler } from '../helpers/grpc-plugin.js';
import { dispatch, inFlight, KINDS, objectBytes, outcomeOf, transportOf, type Outcome } from '../helpers/h2.js';
import { startRawH2Server } from '../helpers/h2-raw-server.js';
import { tempDir } from '../helpers/tmp.js';

const header = (o: Parameters<HookHandler>[0], name: string) => o.request?.headers[name] ?? '';

/** Hooks that do what the request's headers say: the tests' remote control. */
const HOOKS: Record<string, HookHandler> = {
  Big: (o) => {
    if (o.request !== null) o.request.raw_body = Buffer.alloc(Number(header(o, 'X-Reply-Bytes')), 'y');
    return o;
  },
  Fail: (o) => {
    throw Object.assign(new Error(header(o, 'X-Message')), { code: Number(header(o, 'X-Code')) });
  },
  Sleep: async (o) => {
    await sleep(Number(header(o, 'X-Sleep-Ms')));
    return o;
  },
};

const failureOf = (o: Outcome) => ({ ok: o.ok, failure: o.failure, code: o.code, message: o.message });

describe('lean transport and a @grpc/grpc-js server', () => {
  let plugin: GrpcPlugin;
  before(async () => {
    plugin = await startGrpcPlugin(HOOKS);
  });
  after(() => plugin.stop());

  for (const kind of KINDS) {
    it(`${kind}: 3000 calls with 50 in flight, each reply its own; metadata, deadline and :authority arrive`, async () => {
      const transport = transportOf(kind, plugin.address);
      const callsBefore = plugin.calls.length;
      const started = Date.now();
      try {
        await inFlight(3000, 50, async (i) => {
          const result = await dispatch(transport, objectBytes('Echo', { 'X-Seq': String(i) }), 10_000, { traceparent: `00-${String(i).padStart(32, '0')}-0000000000000001-01` });
          assert.ok(result.ok, result.message);
          assert.equal(result.reply?.request?.headers['X-Seq'], String(i));
        });
      } finally {
        transport.close();
      }
      const calls = plugin.calls.slice(callsBefore);
      assert.equal(calls.length, 3000);
      assert.ok(calls.every((c) => /^00-\d{32}-0000000000000001-01$/.test(c.metadata['traceparent'] ?? '')));
      assert.ok(calls.every((c) => c.authority === plugin.address));
      const deadline = calls[0]?.deadline ?? 0;
      assert.ok(deadline - started > 5000 && deadline - started < 15_000, `the server's deadline was ${deadline - started} ms after the start`);
    });

    it(`${kind}: 200 KB replies and 300 KB requests, 20 in flight (flow control both ways)`, async () => {
      const transport = transportOf(kind, plugin.address);
      try {
        await inFlight(60, 20, async (i) => {
          const big = await dispatch(transport, objectBytes('Big', { 'X-Reply-Bytes': String(200 * 1024) }));
          assert.ok(big.ok, big.message);
          assert.equal(big.reply?.request?.raw_body.length, 200 * 1024);
          const body = Buffer.alloc(300 * 1024, i % 251);
          const echoed = await dispatch(transport, objectBytes('Echo', {}, body));
          assert.ok(echoed.ok, echoed.message);
          assert.ok(echoed.reply?.request?.raw_body.equals(body), 'the 300 KB body came back intact');
        });
      } finally {
        transport.close();
      }
    });
  }

  it('lean with the protocol default windows (64 KB): large replies need WINDOW_UPDATEs from it', async () => {
    const transport = transportOf('h2', plugin.address, {}, { streamWindow: 65_535, connectionWindow: 65_535 });
    try {
      await inFlight(30, 10, async () => {
        const big = await dispatch(transport, objectBytes('Big', { 'X-Reply-Bytes': String(1024 * 1024) }));
        assert.ok(big.ok, big.message);
        assert.equal(big.reply?.request?.raw_body.length, 1024 * 1024);
      });
    } finally {
      transport.close();
    }
  });

  it('error statuses and grpc-message (percent-encoded, non-ASCII) read the same as through grpc-js', async () => {
    const cases = [
      { code: 3, message: 'bad argument' },
      { code: 7, message: 'nicht erlaubt: grüße 100% ✓ / 日本語' },
      { code: 9, message: '' },
      { code: 13, message: 'line one\nline two %41 %zz' },
      { code: 16, message: 'who are you?' },
    ];
    const outcomes = new Map<string, unknown[]>();
    for (const kind of KINDS) {
      const transport = transportOf(kind, plugin.address);
      try {
        const results: unknown[] = [];
        for (const c of cases) results.push(failureOf(await dispatch(transport, objectBytes('Fail', { 'X-Code': String(c.code), 'X-Message': c.message }))));
        results.push(failureOf(await dispatch(transport, objectBytes('Echo'), 5000, undefined, '/coprocess.Dispatcher/NoSuchMethod')));
        outcomes.set(kind, results);
      } finally {
        transport.close();
      }
    }
    const lean = outcomes.get('h2') ?? [];
    assert.deepEqual(lean, outcomes.get('grpc-js'));
    assert.deepEqual(lean[1], { ok: false, failure: 'status', code: 7, message: 'plugin server answered PERMISSION_DENIED: nicht erlaubt: grüße 100% ✓ / 日本語' });
    assert.deepEqual(lean[5], { ok: false, failure: 'status', code: 12, message: 'plugin server answered UNIMPLEMENTED: The server does not implement the method /coprocess.Dispatcher/NoSuchMethod' });
  });

  it('DispatchEvent works on both transports', async () => {
    for (const kind of KINDS) {
      const transport = transportOf(kind, plugin.address);
      const reply = await transport.unary(DISPATCH_EVENT_PATH, encodeEvent({ payload: `{"via":"${kind}"}` }), 2000, undefined);
      transport.close();
      assert.equal(reply.length, 0, 'an empty EventReply');
    }
    assert.deepEqual(plugin.events.slice(-2), ['{"via":"h2"}', '{"via":"grpc-js"}']);
  });

  it('max message sizes both ways: RESOURCE_EXHAUSTED, as grpc-js reports it', async () => {
    const small = await startGrpcPlugin(HOOKS, { 'grpc.max_receive_message_length': 64 * 1024 });
    try {
      const results = new Map<string, unknown[]>();
      for (const kind of KINDS) {
        const transport = transportOf(kind, small.address, { recvMaxBytes: 64 * 1024, sendMaxBytes: 256 * 1024 });
        try {
          results.set(kind, [
            failureOf(await dispatch(transport, objectBytes('Big', { 'X-Reply-Bytes': String(200 * 1024) }))),
            failureOf(await dispatch(transport, objectBytes('Echo', {}, Buffer.alloc(300 * 1024)))),
            // Within our send limit, over the server's receive limit: the server refuses while we are still sending.
            (await dispatch(transport, objectBytes('Echo', {}, Buffer.alloc(200 * 1024)))).code,
            (await dispatch(transport, objectBytes('Echo'))).ok,
          ]);
        } finally {
          transport.close();
        }
      }
      assert.deepEqual(results.get('h2'), results.get('grpc-js'));
      const [received, sent, serverSide, after] = results.get('h2') ?? [];
      assert.match((received as Outcome).message ?? '', /^plugin server answered RESOURCE_EXHAUSTED: Received message larger than max \(\d+ vs 65536\)$/);
      assert.deepEqual(sent, { ok: false, failure: 'status', code: 8, message: 'plugin server answered RESOURCE_EXHAUSTED: Attempted to send message with a size larger than 262144' });
      assert.equal(serverSide, 8);
      assert.equal(after, true, 'the transport is still usable');
    } finally {
      await small.stop();
    }
  });

  it('500 calls in flight at once, also against a server that allows 10 concurrent streams', async () => {
    const narrow = await startGrpcPlugin(HOOKS, { 'grpc.max_concurrent_streams': 10 });
    try {
      for (const server of [plugin, narrow]) {
        const transport = transportOf('h2', server.address);
        try {
          const results = await Promise.all(Array.from({ length: 500 }, (_, i) => dispatch(transport, objectBytes('Sleep', { 'X-Sleep-Ms': '20', 'X-Seq': String(i) }), 20_000)));
          assert.deepEqual(results.filter((r) => !r.ok).map((r) => r.message), []);
          assert.ok(results.every((r, i) => r.reply?.request?.headers['X-Seq'] === String(i)));
        } finally {
          transport.close();
        }
      }
    } finally {
      await narrow.stop();
    }
  });

  it('DEADLINE_EXCEEDED locally and on time; the same connection serves the next call', async () => {
    // A pass-through in front of the server counts the connections the transport opens.
    const front = await startRawH2Server((conn) => conn.pipeTo(plugin.port));
    const transport = transportOf('h2', front.address);
    try {
      assert.ok((await dispatch(transport, objectBytes('Echo'))).ok);
      const slow = await Promise.all(Array.from({ length: 5 }, () => dispatch(transport, objectBytes('Sleep', { 'X-Sleep-Ms': '600' }), 150)));
      for (const result of slow) {
        assert.deepEqual(failureOf(result), { ok: false, failure: 'deadline', code: 4, message: 'no reply within 150 ms' });
        assert.ok(result.ms >= 140 && result.ms < 5000, `failed after ${result.ms} ms`);
      }
      const next = await dispatch(transport, objectBytes('Echo', { 'X-Seq': 'after' }));
      assert.equal(next.reply?.request?.headers['X-Seq'], 'after');
      await sleep(700); // the slow calls finish on the server; their late replies must be ignored
      assert.ok((await dispatch(transport, objectBytes('Echo'))).ok);
      assert.equal(front.connections, 1, 'cancelled streams do not cost the connection');
    } finally {
      transport.close();
      await front.close();
    }
  });

  it('unix socket targets, and grpc_authority as :authority (the same as grpc-js sends)', async () => {
    const dir = await tempDir();
    const unix = await startGrpcPlugin({}, {}, `unix://${join(dir.path, 'p.sock')}`);
    try {
      for (const kind of KINDS) {
        for (const authority of ['', 'plugins.internal']) {
          const transport = transportOf(kind, unix.address, { authority });
          const result = await outcomeOf(transport.unary('/coprocess.Dispatcher/Dispatch', objectBytes('Echo'), 2000, undefined));
          transport.close();
          assert.ok(result.ok, result.message);
        }
      }
      assert.deepEqual(
        unix.calls.map((c) => c.authority),
        ['localhost', 'plugins.internal', 'localhost', 'plugins.internal'],
      );
    } finally {
      await unix.stop();
      await dir.remove();
    }
  });
});
