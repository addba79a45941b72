/**
 * `threads`: hooks run on a pool of worker threads; a CPU-heavy hook spreads over them, failures
 * cross back intact, and a hook stuck past its deadline costs its worker, not the server.
 */
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { threadId } from 'node:worker_threads';
import * as grpc from '@grpc/grpc-js';
import { definePlugin, isSdkError, serve } from '../../sdk/index.js';
import { hookRequest, inProcess, overWire, PluginCallError, type PluginClient } from '../../sdk/testing/index.js';
import { cpuPlugin } from '../fixtures/sdk/cpu-plugin.js';
import { captureLogger, type LogRecord } from '../helpers/sdk.js';

const THREADS = 2;
const hashCall = (client: PluginClient, i: number) => client.call('HashKey', hookRequest().header('Authorization', `key-${i}`));

describe('serving with threads', () => {
  let client: PluginClient & { server: { threads: number } };
  let records: LogRecord[];
  before(async () => {
    const captured = captureLogger();
    records = captured.records;
    client = await overWire(cpuPlugin, { threads: THREADS, logger: captured.logger });
  });
  after(() => client.close());

  it('a CPU-heavy hook runs on more than one worker thread, never on the server thread', async () => {
    assert.equal(client.server.threads, THREADS);
    const results = await Promise.all(Array.from({ length: 8 }, (_, i) => hashCall(client, i)));
    const threads = new Set(results.map((r) => r.request.header('X-Thread-Id')));
    assert.ok(threads.size > 1, `ran on threads ${[...threads].join(', ')}`);
    assert.ok(!threads.has(String(threadId)), 'no hook ran on the server thread');
    for (const result of results) {
      assert.equal(result.allowed, true);
      assert.equal(result.session?.rate, 10);
      assert.match(result.token ?? '', /^[0-9a-f]{16}$/);
    }
  });

  it('gives the same replies as the same hook in process', async () => {
    const [threaded, local] = await Promise.all([hashCall(client, 42), hashCall(inProcess(cpuPlugin), 42)]);
    assert.equal(threaded.token, local.token);
  });

  it('a throw in a worker comes back as UNKNOWN, logged with the stack from the worker', async () => {
    await assert.rejects(client.call('ThrowInWorker'), (err: unknown) => {
      assert.ok(err instanceof PluginCallError);
      assert.equal(err.grpcStatus, grpc.status.UNKNOWN);
      assert.equal(err.message, 'hook "ThrowInWorker" threw: RangeError: bad range in a worker');
      return true;
    });
    const line = records.find((r) => r['hook'] === 'ThrowInWorker');
    assert.match(String((line?.['err'] as { stack?: string }).stack), /RangeError: bad range in a worker\n\s+at .*cpu-plugin/);
  });

  it('a hook stuck on the CPU past its deadline loses its worker; the pool replaces it and keeps serving', async () => {
    const started = Date.now();
    await assert.rejects(client.call('BusyForever', hookRequest(), { timeoutMs: 200 }), (err: unknown) => err instanceof PluginCallError && err.grpcStatus === grpc.status.DEADLINE_EXCEEDED);
    assert.ok(Date.now() - started < 2000);
    // Nothing spins any more: an idle moment costs the process (all its threads) almost no CPU.
    await sleep(700);
    // A spinning thread would take about the whole second; the margin absorbs a loaded machine's GC and timers.
    const before = process.cpuUsage();
    await sleep(1000);
    const spent = process.cpuUsage(before);
    assert.ok((spent.user + spent.system) / 1000 < 500, `${((spent.user + spent.system) / 1000).toFixed(0)} ms of CPU in 1000 ms idle: the stuck worker still runs`);
    const after = await Promise.all(Array.from({ length: 4 }, (_, i) => hashCall(client, i)));
    assert.ok(after.every((r) => r.allowed));
  });

  it('measures the speedup over the server thread alone (reported, not asserted: CI cores are shared)', async (t) => {
    const calls = 16;
    const single = await overWire(cpuPlugin);
    try {
      await hashCall(single, 0);
      let started = performance.now();
      await Promise.all(Array.from({ length: calls }, (_, i) => hashCall(single, i)));
      const oneThread = performance.now() - started;
      started = performance.now();
      await Promise.all(Array.from({ length: calls }, (_, i) => hashCall(client, i)));
      const pooled = performance.now() - started;
      t.diagnostic(`${calls} PBKDF2 auth calls: ${oneThread.toFixed(0)} ms on the server thread, ${pooled.toFixed(0)} ms on ${THREADS} workers (${(oneThread / pooled).toFixed(2)}x; ${availableParallelism()} cores)`);
    } finally {
      await single.close();
    }
  });
});

describe('threads: start-up errors', () => {
  it('a plugin defined without its module cannot be threaded, and says how to fix it', async () => {
    const plugin = definePlugin({ name: 'nomodule' }).pre('A', () => {});
    await assert.rejects(serve(plugin, { address: '127.0.0.1:0', threads: 1, signals: false, logger: captureLogger().logger }), (err: unknown) =>
      isSdkError(err, 'HG_ERR_SDK_SERVE_FAILED') && /definePlugin\(\{ module: import.meta.url/.test(err.message),
    );
  });

  it('a module that exports no plugin fails the start with the module named', async () => {
    const module = new URL('../../sdk/headers.js', import.meta.url);
    const plugin = definePlugin({ name: 'elsewhere', module }).pre('A', () => {});
    await assert.rejects(serve(plugin, { address: '127.0.0.1:0', threads: 1, signals: false, logger: captureLogger().logger }), (err: unknown) =>
      isSdkError(err, 'HG_ERR_SDK_WORKER_FAILED') && err.message.includes('exports no plugin') && err.message.includes('headers.js'),
    );
  });

  it('refuses a thread count that is not a whole number', async () => {
    await assert.rejects(serve(cpuPlugin, { threads: 1.5, signals: false }), /threads must be true, false or a whole number/);
  });
});
