// The lean transport against grpcio (Python over gRPC's C core): an HTTP/2 and HPACK
// implementation with nothing in common with Node's, which indexes and Huffman-codes its headers,
// probes bandwidth with PINGs and drains with GOAWAY. grpc-js is the reference for every failure.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { dispatch, inFlight, KINDS, objectBytes, transportOf, type Outcome } from '../helpers/h2.js';
import { hasGrpcio, requireGrpcio, startGrpcioPlugin, type GrpcioPlugin } from '../helpers/grpcio-plugin.js';

const failureOf = (o: Outcome) => ({ ok: o.ok, failure: o.failure, code: o.code, message: o.message });

describe('lean transport and a grpcio server', { skip: !hasGrpcio() && process.env['CI'] !== 'true' ? 'python3 with grpcio is not installed' : false }, () => {
  let plugin: GrpcioPlugin;
  before(async () => {
    plugin = await startGrpcioPlugin();
  });
  after(() => plugin?.stop());

  it('3000 calls with 50 in flight, each reply its own, on both transports', async (t) => {
    if (!requireGrpcio(t)) return;
    for (const kind of KINDS) {
      const transport = transportOf(kind, plugin.address);
      try {
        await inFlight(3000, 50, async (i) => {
          const result = await dispatch(transport, objectBytes('Echo', { 'X-Seq': String(i) }), 10_000, { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' });
          assert.ok(result.ok, `${kind}: ${result.message}`);
          assert.equal(result.reply?.request?.headers['X-Seq'], String(i));
        });
      } finally {
        transport.close();
      }
    }
  });

  it('200 KB replies and 300 KB requests, 20 in flight', async (t) => {
    if (!requireGrpcio(t)) return;
    for (const tuning of [{}, { streamWindow: 65_535, connectionWindow: 65_535 }]) {
      const transport = transportOf('h2', plugin.address, {}, tuning);
      try {
        await inFlight(40, 20, async (i) => {
          const big = await dispatch(transport, objectBytes('GrpcioBig', { 'X-Reply-Bytes': String(200 * 1024) }));
          assert.ok(big.ok, big.message);
          assert.equal(big.reply?.request?.raw_body.length, 200 * 1024);
          const body = Buffer.alloc(300 * 1024, i % 251);
          const echoed = await dispatch(transport, objectBytes('Echo', {}, body));
          assert.ok(echoed.ok, echoed.message);
          assert.ok(echoed.reply?.request?.raw_body.equals(body));
        });
      } finally {
        transport.close();
      }
    }
  });

  it('error statuses with grpc-message (non-ASCII too) and UNIMPLEMENTED read as through grpc-js', async (t) => {
    if (!requireGrpcio(t)) return;
    const outcomes = new Map<string, unknown[]>();
    for (const kind of KINDS) {
      const transport = transportOf(kind, plugin.address);
      try {
        const results: unknown[] = [];
        for (const [code, message] of [[3, 'bad argument'], [7, 'verboten: grüße 100% ✓ / 日本語'], [14, 'come back later'], [16, '']] as const) {
          results.push(failureOf(await dispatch(transport, objectBytes('GrpcioError', { 'X-Code': String(code), 'X-Message': message }))));
        }
        results.push(failureOf(await dispatch(transport, objectBytes('Echo'), 5000, undefined, '/coprocess.Dispatcher/NoSuchMethod')));
        outcomes.set(kind, results);
      } finally {
        transport.close();
      }
    }
    assert.deepEqual(outcomes.get('h2'), outcomes.get('grpc-js'));
    const lean = outcomes.get('h2') ?? [];
    assert.deepEqual(lean[1], { ok: false, failure: 'status', code: 7, message: 'plugin server answered PERMISSION_DENIED: verboten: grüße 100% ✓ / 日本語' });
    assert.equal((lean[2] as Outcome).failure, 'unavailable');
    assert.equal((lean[4] as Outcome).code, 12);
  });

  it('DEADLINE_EXCEEDED on time, and the connection serves the next call', async (t) => {
    if (!requireGrpcio(t)) return;
    const transport = transportOf('h2', plugin.address);
    try {
      const slow = await dispatch(transport, objectBytes('GrpcioSleep', { 'X-Sleep-Ms': '600' }), 150);
      assert.deepEqual(failureOf(slow), { ok: false, failure: 'deadline', code: 4, message: 'no reply within 150 ms' });
      assert.ok(slow.ms < 5000, `failed after ${slow.ms} ms`);
      assert.ok((await dispatch(transport, objectBytes('Echo'))).ok);
    } finally {
      transport.close();
    }
  });

  it('500 calls in flight', async (t) => {
    if (!requireGrpcio(t)) return;
    const transport = transportOf('h2', plugin.address);
    try {
      const results = await Promise.all(Array.from({ length: 500 }, (_, i) => dispatch(transport, objectBytes('Echo', { 'X-Seq': String(i) }), 30_000)));
      assert.deepEqual(results.filter((r) => !r.ok).map((r) => r.message), []);
      assert.ok(results.every((r, i) => r.reply?.request?.headers['X-Seq'] === String(i)));
    } finally {
      transport.close();
    }
  });

  it('a graceful stop (GOAWAY) lets in-flight calls finish; a restarted server is reconnected to', async (t) => {
    if (!requireGrpcio(t)) return;
    // A long grace: on a loaded machine 2 s can pass before the sleeping calls end, and the server
    // then cancels them (CANCELLED), which is the server's choice, not the client's.
    const first = await startGrpcioPlugin({ graceSeconds: 8 });
    const port = first.address.split(':')[1] ?? '';
    const transport = transportOf('h2', first.address);
    let second: GrpcioPlugin | undefined;
    try {
      assert.ok((await dispatch(transport, objectBytes('Echo'))).ok);
      const inflight = Array.from({ length: 8 }, () => dispatch(transport, objectBytes('GrpcioSleep', { 'X-Sleep-Ms': '700' }), 10_000));
      await sleep(200);
      const stopping = first.stop(); // SIGTERM: server.stop(grace=2s) sends GOAWAY and waits
      const results = await Promise.all(inflight);
      assert.deepEqual(results.map((r) => r.message ?? 'ok'), Array(8).fill('ok'));
      await stopping;
      const down = await dispatch(transport, objectBytes('Echo'), 5000);
      assert.equal(down.failure, 'unavailable');
      assert.ok(down.ms < 4000, 'a refused connection fails at once, not at the deadline');
      second = await startGrpcioPlugin({ address: `127.0.0.1:${port}` });
      let recovered: Outcome | undefined;
      for (let i = 0; i < 100 && recovered?.ok !== true; i++) {
        recovered = await dispatch(transport, objectBytes('Echo'), 2000);
        if (!recovered.ok) await sleep(100);
      }
      assert.ok(recovered?.ok, `no call succeeded after the restart: ${recovered?.message}`);
    } finally {
      transport.close();
      await first.stop();
      await second?.stop();
    }
  });

  it('a server killed (SIGKILL) mid-call: UNAVAILABLE "Connection dropped" on both transports, at once', async (t) => {
    if (!requireGrpcio(t)) return;
    const outcomes = new Map<string, unknown>();
    for (const kind of KINDS) {
      const victim = await startGrpcioPlugin();
      const transport = transportOf(kind, victim.address);
      try {
        assert.ok((await dispatch(transport, objectBytes('Echo'))).ok, `${kind}: the first call`);
        const call = dispatch(transport, objectBytes('GrpcioSleep', { 'X-Sleep-Ms': '5000' }), 20_000);
        await sleep(300);
        process.kill(victim.pid, 'SIGKILL');
        const killed = await call;
        assert.ok(killed.ms < 10_000, `${kind} settled ${killed.ms} ms after the call, not at its deadline`);
        outcomes.set(kind, { ...failureOf(killed), message: killed.message?.replace(victim.address, 'ADDRESS') });
      } finally {
        transport.close();
        await victim.stop();
      }
    }
    assert.deepEqual(outcomes.get('h2'), outcomes.get('grpc-js'));
    assert.deepEqual(outcomes.get('h2'), { ok: false, failure: 'unavailable', code: 14, message: 'plugin server ADDRESS unavailable: Connection dropped' });
  });
});
