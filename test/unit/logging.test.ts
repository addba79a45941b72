import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createAccessLogWriter, createRootLogger } from '../../gateway/logging/index.js';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      lines.push(...chunk.toString('utf8').split('\n').filter((l) => l !== ''));
      callback();
    },
  });
  return { lines, stream };
}

describe('logging', () => {
  it('redacts credentials wherever a component logs them', () => {
    const { lines, stream } = capture();
    const { logger } = createRootLogger({ level: 'info', format: 'json', destination: stream });
    logger.child({ component: 'test' }).info(
      { headers: { authorization: 'Bearer abc', cookie: 's=1', 'x-tyk-authorization': 'adminsecret', accept: '*/*' }, storage: { password: 'pw' }, secret: 's3', session: { hmac_string: 'hmacsecret1' }, hmac_string: 'hmacsecret2' },
      'something',
    );
    logger.info({ session: { basic_auth_data: { password: '$2a$10$hash', hash_type: 'bcrypt' } }, update: { body: { basic_auth_data: { password: 'plain-pw' } } } }, 'a session');
    const line = JSON.parse(lines[0] ?? '{}') as { headers: Record<string, string>; storage: { password: string }; secret: string };
    assert.equal(line.headers['authorization'], '[redacted]');
    assert.equal(line.headers['cookie'], '[redacted]');
    assert.equal(line.headers['x-tyk-authorization'], '[redacted]');
    assert.equal(line.headers['accept'], '*/*');
    assert.equal(line.storage.password, '[redacted]');
    assert.equal(line.secret, '[redacted]');
    const session = JSON.parse(lines[1] ?? '{}') as { session: { basic_auth_data: { password: string; hash_type: string } } };
    assert.equal(session.session.basic_auth_data.password, '[redacted]');
    assert.equal(session.session.basic_auth_data.hash_type, 'bcrypt');
    assert.doesNotMatch(lines.join('\n'), /abc|adminsecret|pw"|s3|\$2a\$10|plain-pw|hmacsecret/);
  });

  it('honours the level: below info there is no access log and no info line', () => {
    const { lines, stream } = capture();
    const root = createRootLogger({ level: 'warn', format: 'json', destination: stream });
    root.logger.info('hidden');
    root.logger.warn('shown');
    assert.equal(root.accessLog, undefined);
    assert.deepEqual(lines.map((l) => (JSON.parse(l) as { msg: string }).msg), ['shown']);
  });

  it('writes access lines in pino\'s layout, as valid JSON, escaping odd paths', () => {
    const lines: string[] = [];
    const write = createAccessLogWriter((line) => lines.push(line), 42);
    write({ apiId: 'a"b', method: 'GET', path: '/x/"quoted"\\', status: 200, latencyMs: 1.23456, upstreamLatencyMs: 0.5, clientIp: '127.0.0.1' });
    write({ apiId: undefined, method: 'POST', path: '/none', status: 404, latencyMs: 0.1, upstreamLatencyMs: -1, clientIp: '::1' });
    const [first, second] = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual({ ...first, time: 'T' }, {
      level: 30, time: 'T', pid: 42, component: 'access', api_id: 'a"b', method: 'GET', path: '/x/"quoted"\\', status: 200, latency_ms: 1.235, upstream_latency_ms: 0.5, client_ip: '127.0.0.1', msg: 'request',
    });
    assert.equal(second?.['api_id'], null);
    assert.equal('upstream_latency_ms' in (second ?? {}), false);
    assert.ok(lines.every((l) => l.endsWith('}\n')));
  });
});
