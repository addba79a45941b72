// Connection-level faults, made real: servers that stop, restart, drain with GOAWAY, drop the
// connection mid-call, refuse streams, never answer, or answer with HTTP errors. grpc-js is the
// reference wherever both transports can be put through the same fault.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { startGrpcPlugin } from '../helpers/grpc-plugin.js';
import { dispatch, KINDS, objectBytes, transportOf, type Outcome } from '../helpers/h2.js';
import { startRawH2Server } from '../helpers/h2-raw-server.js';
import { freePort } from '../helpers/ports.js';

const SETTINGS = 0x4;
const HEADERS = 0x1;
const RST_STREAM = 0x3;
const PING = 0x6;
const GOAWAY = 0x7;
const END_STREAM = 0x1;
const END_HEADERS = 0x4;
const ACK = 0x1;

const u32 = (...values: number[]) => Buffer.concat(values.map((v) => Buffer.from([v >>> 24, (v >>> 16) & 0xff, (v >>> 8) & 0xff, v & 0xff])));
const SLEEP = { Sleep: async (o: { request: { headers: Record<string, string> } | null }) => (await sleep(Number(o.request?.headers['X-Sleep-Ms'] ?? 0)), o) };
const failureOf = (o: Outcome) => ({ failure: o.failure, code: o.code, message: o.message });

describe('lean transport under connection faults', () => {
  it('a server restarted mid-run: calls fail UNAVAILABLE (never hang) while it is down, then succeed again', async () => {
    const port = await freePort();
    let server = await startGrpcPlugin(SLEEP, {}, `127.0.0.1:${port}`);
    const transport = transportOf('h2', server.address);
    const results: (Outcome & { at: number })[] = [];
    const started = Date.now();
    let running = true;
    const workers = Array.from({ length: 20 }, async () => {
      while (running) {
        const result = await dispatch(transport, objectBytes('Sleep', { 'X-Sleep-Ms': '5' }), 5000);
        results.push({ ...result, at: Date.now() - started });
        if (!result.ok) await sleep(10);
      }
    });
    try {
      await sleep(500);
      await new Promise<void>((resolve) => {
        server.stop().then(resolve, resolve);
      });
      const downAt = Date.now() - started;
      await sleep(500);
      server = await startGrpcPlugin(SLEEP, {}, `127.0.0.1:${port}`);
      const upAt = Date.now() - started;
      await sleep(1500);
      running = false;
      await Promise.all(workers);
      const failures = results.filter((r) => !r.ok);
      assert.ok(failures.length > 0, 'some calls met the stopped server');
      assert.deepEqual([...new Set(failures.map((r) => r.failure))], ['unavailable']);
      // Bounds on durations only tell a fast failure from a deadline expiry, with room for a loaded machine.
      assert.ok(failures.every((r) => r.ms < 4000), 'failures are fast, not deadline expiries');
      assert.ok(results.some((r) => r.ok && r.at < downAt), 'calls succeeded before the stop');
      assert.ok(results.some((r) => r.ok && r.at > upAt), 'calls succeed after the restart');
      assert.ok(results.slice(-40).every((r) => r.ok), 'the last calls all succeeded');
    } finally {
      running = false;
      transport.close();
      await server.stop();
    }
  });

  it('a server that closes the connection mid-call: UNAVAILABLE, as grpc-js; the next call reconnects', async () => {
    const plugin = await startGrpcPlugin(SLEEP);
    // The first connection reaches the server but is cut while a call is in flight; later ones pass.
    const front = await startRawH2Server((conn) => {
      conn.pipeTo(plugin.port);
      if (conn.index % 2 === 0) setTimeout(() => conn.socket.destroy(), 300);
    });
    try {
      const outcomes: unknown[] = [];
      for (const kind of KINDS) {
        const transport = transportOf(kind, front.address);
        const cut = await dispatch(transport, objectBytes('Sleep', { 'X-Sleep-Ms': '2000' }), 5000);
        assert.ok(cut.ms < 4500, `${kind} failed after ${cut.ms} ms`);
        outcomes.push(failureOf(cut));
        const next = await dispatch(transport, objectBytes('Echo'), 5000);
        assert.ok(next.ok, `${kind}: ${next.message}`);
        transport.close();
      }
      assert.deepEqual(outcomes[0], outcomes[1]);
      assert.deepEqual(outcomes[0], { failure: 'unavailable', code: 14, message: `plugin server ${front.address} unavailable: Connection dropped` });
    } finally {
      await front.close();
      await plugin.stop();
    }
  });

  it('GOAWAY from a server shutting down gracefully (tryShutdown): in-flight calls complete', async () => {
    const plugin = await startGrpcPlugin(SLEEP);
    const transport = transportOf('h2', plugin.address);
    try {
      assert.ok((await dispatch(transport, objectBytes('Echo'))).ok);
      const inflight = Array.from({ length: 50 }, (_, i) => dispatch(transport, objectBytes('Sleep', { 'X-Sleep-Ms': '400', 'X-Seq': String(i) }), 10_000));
      await sleep(150);
      const stopped = plugin.stop();
      const results = await Promise.all(inflight);
      assert.deepEqual(results.filter((r) => !r.ok).map((r) => r.message), []);
      assert.ok(results.every((r, i) => r.reply?.request?.headers['X-Seq'] === String(i)));
      await stopped;
      const after = await dispatch(transport, objectBytes('Echo'), 5000);
      assert.equal(after.failure, 'unavailable');
      assert.ok(after.ms < 4000, 'not at the deadline');
    } finally {
      transport.close();
      await plugin.stop();
    }
  });

  it('calls a GOAWAY says were never processed go out again on a new connection', async () => {
    const plugin = await startGrpcPlugin();
    const front = await startRawH2Server((conn) => {
      if (conn.index > 0) return conn.pipeTo(plugin.port);
      conn.frame(SETTINGS, 0, 0);
      conn.onFrame((frame) => {
        if (frame.type !== HEADERS) return;
        conn.frame(GOAWAY, 0, 0, u32(0, 0)); // last stream 0: nothing was processed
        setTimeout(() => conn.socket.end(), 50);
      });
    });
    const transport = transportOf('h2', front.address);
    try {
      const results = await Promise.all(Array.from({ length: 5 }, () => dispatch(transport, objectBytes('Echo'), 5000)));
      assert.deepEqual(results.map((r) => r.message ?? 'ok'), Array(5).fill('ok'));
      assert.equal(front.connections, 2);
    } finally {
      transport.close();
      await front.close();
      await plugin.stop();
    }
  });

  it('REFUSED_STREAM: sent again, up to 3 streams, then UNAVAILABLE as grpc-js says', async () => {
    const front = await startRawH2Server((conn) => {
      conn.frame(SETTINGS, 0, 0);
      conn.onFrame((frame) => {
        if (frame.type === HEADERS) conn.frame(RST_STREAM, 0, frame.streamId, u32(0x7));
      });
    });
    const transport = transportOf('h2', front.address);
    try {
      const result = await dispatch(transport, objectBytes('Echo'), 5000);
      assert.deepEqual(failureOf(result), { failure: 'unavailable', code: 14, message: `plugin server ${front.address} unavailable: Stream refused by server` });
      assert.equal(front.frames.filter((f) => f.type === HEADERS).length, 3);
    } finally {
      transport.close();
      await front.close();
    }
  });

  it('answers PING, and maps an HTTP error status without grpc-status as grpc-js does', async () => {
    const pings: Buffer[] = [];
    const front = await startRawH2Server((conn) => {
      conn.frame(SETTINGS, 0, 0);
      conn.frame(PING, 0, 0, Buffer.from('pingpong'));
      conn.onFrame((frame) => {
        if (frame.type === PING && (frame.flags & ACK) !== 0) pings.push(frame.payload);
        // :status 503 as a literal with the static name :status (index 8), then END_STREAM.
        if (frame.type === HEADERS) conn.frame(HEADERS, END_HEADERS | END_STREAM, frame.streamId, Buffer.from([0x08, 0x03, 0x35, 0x30, 0x33]));
      });
    });
    try {
      const outcomes: unknown[] = [];
      for (const kind of KINDS) {
        const transport = transportOf(kind, front.address);
        outcomes.push(failureOf(await dispatch(transport, objectBytes('Echo'), 2000)));
        transport.close();
      }
      assert.deepEqual(outcomes[0], outcomes[1]);
      assert.deepEqual(outcomes[0], { failure: 'unavailable', code: 14, message: `plugin server ${front.address} unavailable: Received HTTP status code 503` });
      assert.ok(pings.some((p) => p.toString() === 'pingpong'), 'the PING was acknowledged with its payload');
    } finally {
      await front.close();
    }
  });

  it('a port nobody listens on fails fast with UNAVAILABLE, call after call, worded as grpc-js', async () => {
    const port = await freePort();
    const address = `127.0.0.1:${port}`;
    for (const kind of KINDS) {
      const transport = transportOf(kind, address);
      try {
        for (let i = 0; i < 5; i++) {
          const result = await dispatch(transport, objectBytes('Echo'), 5000);
          assert.deepEqual(failureOf(result), {
            failure: 'unavailable',
            code: 14,
            message: `plugin server ${address} unavailable: No connection established. Last error: Error: connect ECONNREFUSED ${address}. Resolution note: `,
          });
          assert.ok(result.ms < 4000, `${kind} took ${result.ms} ms`);
        }
      } finally {
        transport.close();
      }
    }
  });

  it('a server that accepts but never speaks HTTP/2: the call ends at its deadline', async () => {
    const front = await startRawH2Server(() => undefined);
    const transport = transportOf('h2', front.address);
    try {
      const result = await dispatch(transport, objectBytes('Echo'), 300);
      assert.equal(result.failure, 'deadline');
      assert.ok(result.ms >= 290 && result.ms < 5000, `after ${result.ms} ms`);
    } finally {
      transport.close();
      await front.close();
    }
  });
});
