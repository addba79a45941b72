import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { decodeObject, encodeObject, MESSAGE_OPTIONS, messageTypes } from '../../coprocess/protocol/index.js';
import { PACKAGE_ROOT } from '../../gateway/meta.js';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

const GENERATED = join(PACKAGE_ROOT, 'coprocess', 'protocol', 'generated');
const script = (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts['gen:proto'] ?? '';

describe('proto/ and the generated types', () => {
  it('the committed generated types are exactly what the generator makes from proto/ today', () => {
    const out = mkdtempSync(join(tmpdir(), 'hookgate-gen-'));
    try {
      const args = script.replace(/^proto-loader-gen-types\s+/, '').replace('-O coprocess/protocol/generated', `-O ${out}`).split(/\s+/);
      const bin = join(PACKAGE_ROOT, 'node_modules', '@grpc', 'proto-loader', 'build', 'bin', 'proto-loader-gen-types.js');
      const run = spawnSync(process.execPath, [bin, ...args], { cwd: PACKAGE_ROOT, encoding: 'utf8' });
      assert.equal(run.status, 0, run.stderr);
      const fresh = filesUnder(out).map((f) => relative(out, f)).sort();
      const committed = filesUnder(GENERATED).map((f) => relative(GENERATED, f)).sort();
      assert.deepEqual(committed, fresh, 'generated file set differs: run npm run gen:proto');
      for (const file of fresh) {
        assert.equal(readFileSync(join(GENERATED, file), 'utf8'), readFileSync(join(out, file), 'utf8'), `${file} drifted from proto/: run npm run gen:proto`);
      }
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it('the generator runs with the same message options the runtime uses', () => {
    assert.match(script, /--keepCase/);
    assert.match(script, new RegExp(`--longs=${MESSAGE_OPTIONS.longs.name}`));
    assert.match(script, new RegExp(`--enums=${MESSAGE_OPTIONS.enums.name}`));
    for (const flag of ['defaults', 'arrays', 'objects', 'oneofs'] as const) {
      assert.equal(MESSAGE_OPTIONS[flag], true);
      assert.match(script, new RegExp(`--${flag}\\b`));
    }
  });

  it('field numbers are Tyk\'s (spot checks across every file)', () => {
    const id = (type: string, field: string) => messageTypes.root.lookupType(type).fields[field]?.id;
    assert.equal(id('coprocess.Object', 'response'), 7);
    assert.equal(id('coprocess.MiniRequestObject', 'raw_body'), 14);
    assert.equal(id('coprocess.ReturnOverrides', 'response_body'), 5);
    assert.equal(id('coprocess.ResponseObject', 'multivalue_headers'), 5);
    assert.equal(id('coprocess.SessionState', 'post_expiry_grace_period'), 34);
    assert.equal(id('coprocess.SessionState', 'metadata'), 23);
    assert.equal(messageTypes.root.lookupEnum('coprocess.HookType').values['CustomKeyCheck'], 4);
    const service = messageTypes.root.lookupService('coprocess.Dispatcher');
    assert.deepEqual(Object.keys(service.methods), ['Dispatch', 'DispatchEvent']);
  });
});

describe('codec', () => {
  it('encodes response_code -1 as Tyk does (a 10-byte varint) and decodes it back', () => {
    const bytes = encodeObject({ request: { return_overrides: { response_code: -1 } } });
    // field 3 (request), length 12: field 10 (return_overrides), length 10: field 1 varint of -1
    assert.deepEqual([...bytes], [0x1a, 0x0d, 0x52, 0x0b, 0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    assert.equal(decodeObject(bytes).request?.return_overrides?.response_code, -1);
  });

  it('round-trips every kind of field, with absent messages as null', () => {
    const decoded = decodeObject(
      encodeObject({
        hook_type: 'CustomKeyCheck',
        hook_name: 'MyAuth',
        request: { headers: { Authorization: 'k' }, raw_body: Buffer.from([0, 255, 1]), delete_headers: ['X-A'] },
        session: { rate: 1000, per: 1, quota_max: 2 ** 40, metadata: { token: 't' }, tags: ['a', 'b'], access_rights: { api1: { api_id: 'api1', allowed_urls: [{ url: '/x', methods: ['GET'] }] } } },
        metadata: { token: 't' },
        spec: { APIID: 'api1' },
      }),
    );
    assert.equal(decoded.hook_type, 'CustomKeyCheck');
    assert.deepEqual([...(decoded.request?.raw_body ?? [])], [0, 255, 1]);
    assert.equal(decoded.session?.quota_max, 2 ** 40);
    assert.deepEqual(decoded.session?.tags, ['a', 'b']);
    assert.equal(decoded.session?.access_rights['api1']?.allowed_urls[0]?.methods[0], 'GET');
    assert.equal(decoded.response, null);
    assert.equal(decoded.request?.return_overrides, null);
    assert.equal(decoded.session?.basic_auth_data, null);
    assert.equal(decoded.request?.body, '');
  });

  it('refuses bytes that are not an Object', () => {
    assert.throws(() => decodeObject(Buffer.from([0x1a, 0xff, 0xff, 0xff])));
  });
});

describe('canonical proto3 encoding', () => {
  it('omits default scalars, empty lists and maps, as Go and grpcio do, but keeps present messages', () => {
    const bytes = encodeObject({ hook_name: '', request: { body: '', headers: {}, delete_headers: [], raw_body: Buffer.alloc(0), return_overrides: { response_code: 0 } }, session: {}, metadata: {} });
    // request (3) present with return_overrides (10) present but empty; session (4) present and empty
    assert.deepEqual([...bytes], [0x1a, 0x02, 0x52, 0x00, 0x22, 0x00]);
  });

  it('a decoded Object re-encodes to the same bytes (defaults stay out)', () => {
    const original = encodeObject({ hook_type: 'Pre', hook_name: 'H', request: { url: '/x', raw_body: Buffer.from('b') }, session: { rate: 1, access_rights: { a: { api_id: 'a', allowed_urls: [{ url: '/u', methods: [] }] } } } });
    assert.deepEqual(encodeObject(decodeObject(original)), original);
  });
});
