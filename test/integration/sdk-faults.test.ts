/**
 * Faulty hooks on a real server: each gives its documented status (docs/sdk.md, "When a hook
 * fails"), is logged with the hook's name, and the server keeps answering.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import * as grpc from '@grpc/grpc-js';
import { definePlugin, serve, type PluginServer } from '../../sdk/index.js';
import { connect, hookRequest, overWire, PluginCallError, type PluginClient } from '../../sdk/testing/index.js';
import { captureLogger, type LogRecord } from '../helpers/sdk.js';

const signals: AbortSignal[] = [];

const faulty = definePlugin({ name: 'faulty' })
  .pre('Ok', (request) => void request.setHeader('X-Ok', 'yes'))
  .authCheck('Boom', () => {
    throw new Error('database unreachable');
  })
  .pre('Hang', (_request, _session, _metadata, _spec, context) => {
    signals.push(context.signal);
    return new Promise(() => {});
  })
  .pre('Garbage', (_request, session) => {
    (session as { rate: unknown }).rate = 'fast';
  })
  .pre('Slow', async (request) => {
    await sleep(Number(request.getParam('ms') ?? '0'));
  })
  .event('OnAuthFailure', (event) => {
    events.push(event);
  })
  .event('EventBoom', () => {
    throw new Error('alerting down');
  });
const events: unknown[] = [];

const rejectsWith = (grpcStatus: number, code: string | undefined, details: RegExp) => (err: unknown) => {
  assert.ok(err instanceof PluginCallError, String(err));
  assert.equal(err.grpcStatus, grpcStatus, err.message);
  assert.equal(err.code, code);
  assert.match(err.message, details);
  return true;
};

describe('faulty hooks over the wire', () => {
  let client: PluginClient & { server: PluginServer };
  let records: LogRecord[];
  const stillServing = async () => assert.equal((await client.call('Ok')).request.header('X-Ok'), 'yes');

  before(async () => {
    const captured = captureLogger();
    records = captured.records;
    client = await overWire(faulty, { logger: captured.logger });
  });
  after(() => client.close());

  it('a handler that throws: UNKNOWN with the hook and message; logged with its stack', async () => {
    await assert.rejects(client.call('Boom'), rejectsWith(grpc.status.UNKNOWN, 'HG_ERR_SDK_HOOK_FAILED', /^hook "Boom" threw: Error: database unreachable$/));
    const line = records.find((r) => r['hook'] === 'Boom');
    assert.equal(line?.level, 50);
    assert.match(String((line?.['err'] as { stack?: string }).stack), /Error: database unreachable\n\s+at /);
    await stillServing();
  });

  it('a handler that hangs past the deadline: DEADLINE_EXCEEDED, its signal aborted, a warning logged', async () => {
    const started = Date.now();
    await assert.rejects(client.call('Hang', hookRequest(), { timeoutMs: 150 }), rejectsWith(grpc.status.DEADLINE_EXCEEDED, undefined, /Deadline exceeded/));
    assert.ok(Date.now() - started < 2000);
    await sleep(50);
    assert.equal(signals.at(-1)?.aborted, true, 'the handler was told to stop');
    const line = records.find((r) => r['hook'] === 'Hang');
    assert.equal(line?.level, 40);
    // The gateway's client gives up at its deadline, usually just before the server's own timer.
    assert.match(String(line?.['code']), /^HG_ERR_SDK_(DEADLINE_EXCEEDED|CANCELLED)$/);
    await stillServing();
  });

  it('a handler that leaves garbage (a string rate): INTERNAL naming the field', async () => {
    await assert.rejects(client.call('Garbage'), rejectsWith(grpc.status.INTERNAL, 'HG_ERR_SDK_REPLY_INVALID', /session.rate must be a finite number, got "fast" \(string\)/));
    await stillServing();
  });

  it('an unknown hook name: UNIMPLEMENTED, listing the hooks the plugin defines', async () => {
    await assert.rejects(client.call('Missing', hookRequest(), { kind: 'pre' }), rejectsWith(grpc.status.UNIMPLEMENTED, 'HG_ERR_SDK_HOOK_UNKNOWN', /hook "Missing" is not defined by plugin "faulty"; it defines: Ok \(pre\), Boom \(auth_check\), Hang \(pre\)/));
    await stillServing();
  });

  it('bytes that are not a coprocess.Object: INVALID_ARGUMENT', async () => {
    const raw = new grpc.Client(client.server.address, grpc.credentials.createInsecure());
    const err = await new Promise<grpc.ServiceError | null>((resolve) => {
      raw.makeUnaryRequest('/coprocess.Dispatcher/Dispatch', (b: Buffer) => b, (b: Buffer) => b, Buffer.from([0x1a, 0xff, 0xff, 0xff]), (e) => resolve(e));
    });
    raw.close();
    assert.equal(err?.code, grpc.status.INVALID_ARGUMENT);
    assert.match(String(err?.details), /the call is not a coprocess.Object/);
    await stillServing();
  });

  it('DispatchEvent reaches the handler named in the payload; a throwing one is UNKNOWN', async () => {
    await client.event('OnAuthFailure', { type: 'AuthFailure', meta: { Key: 'abc', Path: '/x' } });
    assert.equal((events.at(-1) as { type: string }).type, 'AuthFailure');
    await assert.rejects(client.event('EventBoom'), rejectsWith(grpc.status.UNKNOWN, 'HG_ERR_SDK_HOOK_FAILED', /event handler "EventBoom" threw: Error: alerting down/));
    await stillServing();
  });
});

describe('server-side limits and shutdown', () => {
  it('hookTimeoutMs caps a call whose gateway set a later deadline (or none, as Tyk)', async () => {
    const client = await overWire(faulty, { hookTimeoutMs: 100 });
    try {
      const started = Date.now();
      await assert.rejects(client.call('Hang', hookRequest(), { timeoutMs: 10_000 }), rejectsWith(grpc.status.DEADLINE_EXCEEDED, 'HG_ERR_SDK_DEADLINE_EXCEEDED', /"Hang" did not finish/));
      assert.ok(Date.now() - started < 2000);
    } finally {
      await client.close();
    }
  });

  it('close() lets a call in flight finish, then stops taking calls', async () => {
    const server = await serve(faulty, { address: '127.0.0.1:0', signals: false, logger: captureLogger().logger });
    const client = connect(server.address, { plugin: faulty });
    const slow = client.call('Slow', hookRequest().query('ms', '300'));
    await sleep(100);
    const closing = server.close();
    const result = await slow;
    assert.equal(result.allowed, true);
    await closing;
    await assert.rejects(client.call('Ok', hookRequest(), { timeoutMs: 500 }), (err: unknown) => err instanceof PluginCallError && err.grpcStatus === grpc.status.UNAVAILABLE || err instanceof PluginCallError && err.grpcStatus === grpc.status.DEADLINE_EXCEEDED);
    await client.close();
  });

  it('a call that outlives the grace period is cut, and close() still resolves', async () => {
    const { logger, records } = captureLogger();
    const server = await serve(faulty, { address: '127.0.0.1:0', signals: false, logger });
    const client = connect(server.address, { plugin: faulty });
    const slow = client.call('Slow', hookRequest().query('ms', '5000')).then(
      () => undefined,
      (err: unknown) => err,
    );
    await sleep(100);
    const started = Date.now();
    await server.close({ graceMs: 200 });
    assert.ok(Date.now() - started < 1500, `close took ${Date.now() - started} ms`);
    assert.ok((await slow) instanceof PluginCallError, 'the cut call failed');
    assert.equal(records.find((r) => r.msg === 'plugin server stopped')?.['forced'], true);
    await client.close();
  });
});
