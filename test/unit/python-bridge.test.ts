import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { describe, it } from 'node:test';
import { encodeObject, RunDir } from '../../coprocess/index.js';
import { encodeFrame, FrameReader } from '../../coprocess/bridge/frames.js';
import { isFromWorker } from '../../coprocess/bridge/messages.js';
import { objectFromWire, objectToWire } from '../../coprocess/bridge/wire.js';
import { decodeObject } from '../../coprocess/protocol/index.js';

describe('Python bridge plumbing', () => {
  it('frames survive any split into chunks, and several frames in one chunk', () => {
    const messages = [{ type: 'log', level: 'info', message: 'é €', hook: null }, { type: 'done', id: 7 }, { type: 'result', id: 8, object: { hook_name: 'x'.repeat(70_000) } }];
    const bytes = Buffer.concat(messages.map(encodeFrame));
    for (const size of [1, 3, 4, 5, 1000, bytes.length]) {
      const got: unknown[] = [];
      const reader = new FrameReader((m) => got.push(m), (err) => assert.fail(err));
      for (let at = 0; at < bytes.length; at += size) reader.push(bytes.subarray(at, at + size));
      assert.deepEqual(got, messages, `chunks of ${size}`);
    }
  });

  it('a frame that is not JSON is reported and the next one still reads; an absurd length stops the reader', () => {
    const errors: string[] = [];
    const got: unknown[] = [];
    const reader = new FrameReader((m) => got.push(m), (err) => errors.push(err.message));
    const bad = Buffer.from('{nope');
    const header = Buffer.alloc(4);
    header.writeUInt32BE(bad.length);
    reader.push(Buffer.concat([header, bad, encodeFrame({ type: 'done', id: 1 })]));
    assert.deepEqual(got, [{ type: 'done', id: 1 }]);
    assert.match(errors[0] ?? '', /not JSON/);
    reader.push(Buffer.from([0xff, 0xff, 0xff, 0xff]));
    assert.match(errors[1] ?? '', /over the .*-byte limit/);
  });

  it('an Object crosses as JSON with only what is set, presence kept, bytes in base64, and comes back the same', () => {
    const bytes = encodeObject({
      hook_type: 'CustomKeyCheck',
      hook_name: 'Auth',
      request: { headers: { Authorization: 'k' }, raw_body: Buffer.from([0, 255]), return_overrides: { response_code: -1 } },
      session: {},
      spec: { APIID: 'a' },
    });
    const wire = objectToWire(bytes);
    assert.deepEqual(wire, {
      hook_type: 4,
      hook_name: 'Auth',
      request: { headers: { Authorization: 'k' }, raw_body: 'AP8=', return_overrides: { response_code: -1 } },
      session: {},
      spec: { APIID: 'a' },
    });
    const back = decodeObject(objectFromWire(JSON.parse(JSON.stringify(wire)) as Record<string, unknown>));
    assert.deepEqual([...(back.request?.raw_body ?? [])], [0, 255]);
    assert.equal(back.request?.return_overrides?.response_code, -1);
    assert.notEqual(back.session, null);
    assert.equal(back.response, null);
  });

  it('only known worker messages pass', () => {
    assert.equal(isFromWorker({ type: 'result', id: 1, object: {} }), true);
    assert.equal(isFromWorker({ type: 'call', id: 1 }), false);
    assert.equal(isFromWorker('ready'), false);
  });

  it('the run folder: addresses known before it exists, private once made, gone after its last user', () => {
    const dir = new RunDir(tmpdir());
    const address = dir.bridgeAddress('/srv/bundles/auth');
    assert.equal(address, dir.bridgeAddress('/srv/bundles/auth'));
    assert.notEqual(address, dir.bridgeAddress('/srv/bundles/other'));
    assert.ok(dir.owns(address));
    assert.ok(!dir.owns('unix:///elsewhere/x.sock'));
    assert.equal(existsSync(dir.path), false);
    dir.acquire();
    dir.acquire();
    assert.equal(statSync(dir.path).mode & 0o777, 0o700);
    dir.release();
    assert.equal(existsSync(dir.path), true, 'still used by a second gateway');
    dir.release();
    assert.equal(existsSync(dir.path), false);
  });
});
