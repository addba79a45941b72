/**
 * The example's plugin server called as Tyk calls it: a plain @grpc/grpc-js client built from
 * proto/ alone, sending the Object Tyk's BuildObject sends, reading the reply field by field.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { lstat, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { decodeObject } from '../../coprocess/protocol/index.js';
import { plugin } from '../../examples/ts-auth/plugin.js';
import { PACKAGE_ROOT } from '../../gateway/index.js';
import { isSdkError, serve, type PluginServer } from '../../sdk/index.js';
import { captureLogger } from '../helpers/sdk.js';

const KEY = '47a0c79c427728b3df4af62b9228c8ae';
const PROTO = join(PACKAGE_ROOT, 'proto');

interface TykClient extends grpc.Client {
  Dispatch(object: unknown, options: grpc.CallOptions, callback: (err: grpc.ServiceError | null, reply?: Record<string, any>) => void): void;
  DispatchEvent(event: unknown, options: grpc.CallOptions, callback: (err: grpc.ServiceError | null) => void): void;
}

function tykClient(address: string): TykClient {
  const definition = loadSync('coprocess_object.proto', { includeDirs: [PROTO], keepCase: true, longs: Number, enums: String, defaults: true, arrays: true, objects: true });
  const pkg = grpc.loadPackageDefinition(definition) as unknown as { coprocess: { Dispatcher: new (target: string, creds: grpc.ChannelCredentials) => TykClient } };
  return new pkg.coprocess.Dispatcher(address, grpc.credentials.createInsecure());
}

/** What Tyk's BuildObject sends for `GET /ts-auth/x` with these headers. */
function tykObject(hookType: string, hookName: string, headers: Record<string, string>) {
  return {
    hook_type: hookType,
    hook_name: hookName,
    request: {
      headers: { ...headers, 'User-Agent': 'curl/8.5.0', Host: 'gw.example:8080' },
      set_headers: {}, delete_headers: [], body: '', url: '/ts-auth/x?a=1', params: { a: '1' }, add_params: {}, extended_params: {}, delete_params: [],
      return_overrides: { response_code: -1 }, method: 'GET', request_uri: '/ts-auth/x?a=1', scheme: 'http', raw_body: Buffer.alloc(0),
    },
    spec: { OrgID: 'default', APIID: 'ts-auth', bundle_hash: 'd41d8cd98f00b204e9800998ecf8427e', config_data: '{"greeting":"hello"}' },
  };
}

function call(client: TykClient, object: unknown): Promise<Record<string, any>> {
  return new Promise((resolve, reject) => {
    client.Dispatch(object, { deadline: Date.now() + 5000 }, (err, reply) => (err === null && reply !== undefined ? resolve(reply) : reject(err)));
  });
}

describe('the example plugin, called by a plain grpc-js client built from proto/', () => {
  let server: PluginServer;
  let client: TykClient;
  before(async () => {
    server = await serve(plugin, { address: '127.0.0.1:0', signals: false, logger: captureLogger().logger });
    client = tykClient(server.address);
  });
  after(async () => {
    client.close();
    await server.close();
  });

  it('the tutorial key: a session with rate 1000 per 1 and the token in its metadata; no override', async () => {
    const reply = await call(client, tykObject('CustomKeyCheck', 'MyAuthMiddleware', { Authorization: KEY }));
    assert.equal(reply['hook_name'], 'MyAuthMiddleware');
    assert.equal(reply['session'].rate, 1000);
    assert.equal(reply['session'].per, 1);
    assert.equal(reply['session'].metadata.token, KEY);
    assert.equal(reply['metadata'].token, KEY);
    assert.equal(reply['request'].return_overrides.response_code, -1, 'the -1 the gateway sent is echoed: no override');
    // Everything the gateway applies is echoed unchanged (Tyk needs a parseable url and a method).
    assert.equal(reply['request'].url, '/ts-auth/x?a=1');
    assert.equal(reply['request'].method, 'GET');
    assert.deepEqual(reply['request'].set_headers, {});
    assert.deepEqual(reply['request'].delete_headers, []);
    assert.equal(reply['request'].raw_body.length, 0);
  });

  it('another key: no session in the reply, which Tyk answers with 403 Forbidden', async () => {
    const reply = await call(client, tykObject('CustomKeyCheck', 'MyAuthMiddleware', { Authorization: 'badtoken' }));
    assert.equal(reply['session'], null);
    assert.deepEqual(reply['metadata'], {});
    assert.equal(reply['request'].return_overrides.response_code, -1);
  });

  it('the pre hook: X-Hello in set_headers, the read-only headers view unchanged', async () => {
    const reply = await call(client, tykObject('Pre', 'AddHelloHeader', { Accept: '*/*' }));
    assert.deepEqual(reply['request'].set_headers, { 'X-Hello': 'from the ts-auth plugin' });
    assert.equal(reply['request'].headers['Accept'], '*/*');
    assert.equal(reply['request'].headers['X-Hello'], undefined);
    assert.equal(reply['session'], null);
  });

  it('the reply bytes decode the same with the project codec (protobufjs) as with proto-loader', async () => {
    const rawClient = new grpc.Client(server.address, grpc.credentials.createInsecure());
    const object = tykObject('CustomKeyCheck', 'MyAuthMiddleware', { Authorization: KEY });
    const { messageTypes } = await import('../../coprocess/protocol/index.js');
    const bytes = Buffer.from(messageTypes.Object.encode(messageTypes.Object.fromObject(object)).finish());
    const replyBytes = await new Promise<Buffer>((resolve, reject) => {
      rawClient.makeUnaryRequest('/coprocess.Dispatcher/Dispatch', (b: Buffer) => b, (b: Buffer) => b, bytes, (err, reply) => (err === null && reply !== undefined ? resolve(reply) : reject(err)));
    });
    rawClient.close();
    const decoded = decodeObject(replyBytes);
    const viaLoader = await call(client, object);
    assert.equal(decoded.session?.rate, viaLoader['session'].rate);
    assert.deepEqual(decoded.session?.metadata, viaLoader['session'].metadata);
    assert.equal(decoded.request?.return_overrides?.response_code, -1);
  });

  it('an unknown event handler is UNIMPLEMENTED, and the server keeps answering', async () => {
    const payload = JSON.stringify({ message: { Type: 'AuthFailure', Meta: {}, TimeStamp: 'now' }, handler_name: 'Nope', spec: { APIID: 'a', OrgID: 'o' } });
    const err = await new Promise<grpc.ServiceError | null>((resolve) => client.DispatchEvent({ payload }, { deadline: Date.now() + 5000 }, resolve));
    assert.equal(err?.code, grpc.status.UNIMPLEMENTED);
    assert.match(String(err?.details), /event handler "Nope" is not defined/);
    const reply = await call(client, tykObject('Pre', 'AddHelloHeader', {}));
    assert.equal(reply['request'].set_headers['X-Hello'], 'from the ts-auth plugin');
  });
});

describe('serving on a unix socket', () => {
  let dir: string;
  before(async () => (dir = await mkdtemp(join(tmpdir(), 'hookgate-sdk-'))));
  after(() => rm(dir, { recursive: true, force: true }));

  it('answers on unix:///path, replacing a socket file left by a process that was killed', async () => {
    const path = join(dir, 'plugin.sock');
    const holder = spawn(process.execPath, ['-e', `require('net').createServer().listen(${JSON.stringify(path)}, () => console.log('up'))`], { stdio: ['ignore', 'pipe', 'inherit'] });
    await once(holder.stdout, 'data');
    holder.kill('SIGKILL');
    await once(holder, 'exit');
    assert.equal((await lstat(path)).isSocket(), true, 'the killed process left its socket file');

    const server = await serve(plugin, { address: `unix://${path}`, signals: false, logger: captureLogger().logger });
    assert.equal(server.address, `unix://${path}`);
    assert.equal(server.port, undefined);
    const client = tykClient(`unix://${path}`);
    try {
      const reply = await call(client, tykObject('CustomKeyCheck', 'MyAuthMiddleware', { Authorization: KEY }));
      assert.equal(reply['session'].metadata.token, KEY);
    } finally {
      client.close();
      await server.close();
    }
    await assert.rejects(lstat(path), { code: 'ENOENT' }, 'a clean stop removes the socket file');
  });

  it('refuses a socket another live server answers on, with a clear error', async () => {
    const path = join(dir, 'busy.sock');
    const first = await serve(plugin, { address: `unix://${path}`, signals: false, logger: captureLogger().logger });
    try {
      await assert.rejects(serve(plugin, { address: `unix://${path}`, signals: false, logger: captureLogger().logger }), (err: unknown) => isSdkError(err, 'HG_ERR_SDK_SERVE_FAILED') && err.message.startsWith(`cannot listen on unix:${path}`));
    } finally {
      await first.close();
    }
  });
});
