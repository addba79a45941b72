import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createTransport, GrpcJsTransport, H2Transport } from '../../coprocess/dispatch/index.js';
import { h2Target, percentDecode, timeoutHeader } from '../../coprocess/dispatch/h2/index.js';
import { loadConfigDocument } from '../../gateway/config/index.js';
import { TRANSPORT_OPTIONS } from '../helpers/h2.js';

describe('gRPC details the lean transport reads and writes', () => {
  it('grpc-message: percent-decoded UTF-8; malformed escapes kept as they are', () => {
    assert.equal(percentDecode('plain message'), 'plain message');
    assert.equal(percentDecode('nicht%20erlaubt: gr%C3%BC%C3%9Fe 100%25 %E2%9C%93'), 'nicht erlaubt: grüße 100% ✓');
    assert.equal(percentDecode('%zz and %4'), '%zz and %4');
    assert.equal(percentDecode('%ff'), '\ufffd', 'invalid UTF-8 becomes U+FFFD, not an error');
  });

  it('grpc-timeout: at most 8 digits, never shorter than the deadline', () => {
    assert.equal(timeoutHeader(2000), '2000m');
    assert.equal(timeoutHeader(0.2), '1m');
    assert.equal(timeoutHeader(-5), '0m');
    assert.equal(timeoutHeader(123_456_789), '123457S');
  });

  it('targets: host:port, [IPv6]:port and unix sockets; dns:/// is not its to serve', () => {
    assert.deepEqual(h2Target('127.0.0.1:5555'), { connect: { host: '127.0.0.1', port: 5555 }, authority: '127.0.0.1:5555' });
    assert.deepEqual(h2Target('plugins.internal:80'), { connect: { host: 'plugins.internal', port: 80 }, authority: 'plugins.internal:80' });
    assert.deepEqual(h2Target('[::1]:9000'), { connect: { host: '::1', port: 9000 }, authority: '[::1]:9000' });
    assert.deepEqual(h2Target('unix:///run/plugin.sock'), { connect: { path: '/run/plugin.sock' }, authority: 'localhost' });
    assert.deepEqual(h2Target('unix:plugin.sock'), { connect: { path: 'plugin.sock' }, authority: 'localhost' });
    for (const target of ['dns:///plugins:5555', 'plugins', 'http://x:1', 'unix:', 'x:0']) assert.equal(h2Target(target), undefined, target);
  });

  it('createTransport: lean where it can, grpc-js for dns:/// and round robin, or when asked', () => {
    const cases: [Parameters<typeof createTransport>, unknown][] = [
      [['h2', '127.0.0.1:5555', TRANSPORT_OPTIONS], H2Transport],
      [['h2', 'unix:///tmp/p.sock', TRANSPORT_OPTIONS], H2Transport],
      [['h2', 'dns:///localhost:5555', TRANSPORT_OPTIONS], GrpcJsTransport],
      [['h2', '127.0.0.1:5555', { ...TRANSPORT_OPTIONS, roundRobin: true }], GrpcJsTransport],
      [['grpc-js', '127.0.0.1:5555', TRANSPORT_OPTIONS], GrpcJsTransport],
    ];
    for (const [args, expected] of cases) {
      const transport = createTransport(...args);
      transport.close();
      assert.equal(transport.constructor, expected, args.join(' '));
    }
  });

  it('coprocess_options.transport is validated and resolved', () => {
    assert.equal(loadConfigDocument({ coprocess_options: { transport: 'h2' } }).config?.coprocess.transport, 'h2');
    assert.equal(loadConfigDocument({ coprocess_options: { transport: 'grpc-js' } }).config?.coprocess.transport, 'grpc-js');
    assert.equal(loadConfigDocument({}).config?.coprocess.transport, 'h2', 'h2 is the default (docs/transport.md)');
    const { errors } = loadConfigDocument({ coprocess_options: { transport: 'nghttp2' } });
    assert.deepEqual(
      errors.map((e) => e.message),
      ['Expected `coprocess_options.transport` to be one of "grpc-js", "h2", got "nghttp2" (string)'],
    );
  });

  it('h2 with targets only grpc-js serves is a warning at load, naming the setting', () => {
    const warningsOf = (options: Record<string, unknown>) =>
      loadConfigDocument({ coprocess_options: { transport: 'h2', ...options } }).warnings.filter((w) => w.path === 'coprocess_options.transport').map((w) => w.message);
    assert.deepEqual(warningsOf({ coprocess_grpc_server: '127.0.0.1:5555' }), []);
    assert.deepEqual(warningsOf({ coprocess_grpc_server: 'dns:///plugins:5555' }), ['`coprocess_options.transport` is "h2", but a dns:/// plugin server needs grpc-js: calls to it use grpc-js']);
    assert.equal(warningsOf({ coprocess_grpc_server: '127.0.0.1:5555', grpc_round_robin_load_balancing: true }).length, 1);
  });

  it('the h2 default takes grpc-js for dns:/// and round robin without a warning (only an explicit "h2" warns)', () => {
    for (const options of [{ coprocess_grpc_server: 'dns:///plugins:5555' }, { coprocess_grpc_server: '127.0.0.1:5555', grpc_round_robin_load_balancing: true }]) {
      const loaded = loadConfigDocument({ coprocess_options: options });
      assert.equal(loaded.config?.coprocess.transport, 'h2');
      assert.deepEqual(loaded.warnings.filter((w) => w.path === 'coprocess_options.transport'), []);
    }
    const fallback = createTransport('h2', 'dns:///localhost:5555', TRANSPORT_OPTIONS);
    fallback.close();
    assert.equal(fallback.constructor, GrpcJsTransport);
  });

  it('TLS to plugin servers is refused at load on either transport (neither speaks it here)', () => {
    for (const transport of ['grpc-js', 'h2']) {
      const { errors } = loadConfigDocument({ coprocess_options: { transport, coprocess_grpc_server: 'tls://plugins:5555' } });
      assert.deepEqual(
        errors.map((e) => e.message),
        ['`coprocess_options.coprocess_grpc_server` "tls://plugins:5555": the scheme tls:// is not supported (use tcp://, unix:// or dns:///)'],
      );
    }
  });
});
