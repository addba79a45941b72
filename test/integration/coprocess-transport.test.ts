import assert from 'node:assert/strict';
import * as grpc from '@grpc/grpc-js';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { coprocessConfig, pluginApi } from '../helpers/apis.js';
import { startGatewayProcess } from '../helpers/gateway-process.js';
import { startGrpcPlugin } from '../helpers/grpc-plugin.js';
import { request, tykError } from '../helpers/http.js';
import { freePort } from '../helpers/ports.js';
import { tempDir } from '../helpers/tmp.js';
import { startUpstream } from '../helpers/upstream.js';

async function withGateway(server: string, options: Record<string, unknown>, run: (url: (p: string) => string) => Promise<void>) {
  const up = await startUpstream();
  try {
    const gw = await startGatewayProcess({
      config: coprocessConfig(server, options),
      apis: {
        'pre.json': pluginApi('pre', '/pre/', up.origin, { pre: [{ name: 'Pre' }] }),
        'auth.json': pluginApi('auth', '/auth/', up.origin, { auth_check: { name: 'Auth' } }),
      },
    });
    try {
      await run(gw.url);
    } finally {
      await gw.stop();
    }
  } finally {
    // Also when the gateway did not start: a server left listening would keep this file's process alive.
    await up.close();
  }
}

describe('plugin server targets and transport limits', () => {
  it('dns:/// targets resolve and serve (round robin is configured for them)', async () => {
    const plugin = await startGrpcPlugin();
    try {
      await withGateway(`dns:///localhost:${plugin.port}`, {}, async (url) => {
        assert.equal((await request(url('/pre/x'))).status, 200);
        assert.equal(plugin.received.length, 1);
      });
    } finally {
      await plugin.stop();
    }
  });

  it('unix:/// targets serve, and grpc_authority reaches the plugin as :authority', async () => {
    const dir = await tempDir();
    const plugin = await startGrpcPlugin({}, {}, `unix://${join(dir.path, 'plugin.sock')}`);
    try {
      await withGateway(plugin.address, { grpc_authority: 'plugins.internal' }, async (url) => {
        assert.equal((await request(url('/pre/x'))).status, 200);
        assert.equal(plugin.calls[0]?.authority, 'plugins.internal');
      });
    } finally {
      await plugin.stop();
      await dir.remove();
    }
  });

  it('a plugin server that is down fails closed at once: 500 for hooks, 403 for auth', async () => {
    const port = await freePort();
    await withGateway(`127.0.0.1:${port}`, { dispatch_timeout_ms: 5000 }, async (url) => {
      const started = Date.now();
      const pre = await request(url('/pre/x'));
      assert.equal(pre.status, 500);
      assert.equal(pre.text(), tykError('Middleware error'));
      const auth = await request(url('/auth/x'), { headers: { authorization: 'k' } });
      assert.equal(auth.status, 403);
      assert.equal(auth.text(), tykError('Key not authorised'));
      assert.ok(Date.now() - started < 4000, 'refused connections fail fast, not at the deadline');
    });
  });

  it('a reply over grpc_recv_max_size is refused (500), not buffered', async () => {
    const plugin = await startGrpcPlugin({ Pre: (o) => (o.request === null ? o : { ...o, request: { ...o.request, raw_body: randomBytes(300 * 1024) } }) });
    try {
      await withGateway(plugin.address, { grpc_recv_max_size: 64 * 1024 }, async (url) => {
        assert.equal((await request(url('/pre/x'))).status, 500);
        const metrics = (await request(url('/metrics'))).text();
        assert.match(metrics, /hookgate_hook_errors_total\{api_id="pre",hook="Pre",hook_type="pre",code="RESOURCE_EXHAUSTED"\} 1/);
      });
    } finally {
      await plugin.stop();
    }
  });

  it('a reply that is not a protobuf Object fails closed and is counted as DECODE', async () => {
    // A server that answers Dispatch with raw bytes, bypassing any encoder.
    const server = new grpc.Server();
    const garbage = Buffer.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x01, 0x02]);
    server.register('/coprocess.Dispatcher/Dispatch', (_call: unknown, cb: grpc.sendUnaryData<Buffer>) => cb(null, garbage), (b: Buffer) => b, (b: Buffer) => b, 'unary');
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
    );
    try {
      await withGateway(`127.0.0.1:${port}`, {}, async (url) => {
        assert.equal((await request(url('/pre/x'))).status, 500);
        assert.equal((await request(url('/auth/x'), { headers: { authorization: 'k' } })).status, 403);
        const metrics = (await request(url('/metrics'))).text();
        assert.match(metrics, /hookgate_hook_errors_total\{api_id="pre",hook="Pre",hook_type="pre",code="DECODE"\} 1/);
        assert.equal((await request(url('/hello'))).status, 200, 'the gateway is unharmed');
      });
    } finally {
      server.forceShutdown();
    }
  });
});
