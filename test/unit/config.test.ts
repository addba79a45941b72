import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadConfigDocument } from '../../gateway/config/index.js';

const messages = (problems: readonly { message: string }[]) => problems.map((p) => p.message);

describe('tyk.conf validation', () => {
  it('fills Tyk defaults and Hookgate defaults for an empty config', () => {
    const { config, errors } = loadConfigDocument({}, '/etc/hookgate/tyk.conf');
    assert.deepEqual(errors, []);
    assert.ok(config);
    assert.equal(config.listen.port, 8080);
    assert.equal(config.appPath, '/etc/hookgate/apps');
    assert.equal(config.storage.kind, 'memory');
    assert.equal(config.proxy.timeoutMs, 30_000);
    assert.equal(config.shutdownGraceMs, 30_000);
    assert.equal(config.health.livenessPath, '/hello');
    assert.equal(config.log.accessLog, true);
  });

  it('lists every mistake together, each with its path and what was expected', () => {
    const { config, errors } = loadConfigDocument({
      listen_port: 'eighty',
      storage: { type: 'redis', port: 70000 },
      log_level: 'loud',
      coprocess_options: { enable_coprocess: 'yes' },
    });
    assert.equal(config, undefined);
    assert.deepEqual(messages(errors), [
      'Expected `listen_port` to be an integer from 0 to 65535, got "eighty" (string)',
      'Expected `storage.port` to be an integer from 1 to 65535, got 70000 (number)',
      'Expected `log_level` to be one of "trace", "debug", "info", "warn", "warning", "error", "fatal", "silent", got "loud" (string)',
      'Expected `coprocess_options.enable_coprocess` to be true or false, got "yes" (string)',
    ]);
  });

  it('warns about a misspelt key, naming the closest known key', () => {
    const { config, warnings } = loadConfigDocument({ secret: 's', listen_prot: 9000 });
    assert.ok(config);
    assert.deepEqual(messages(warnings), ['Unknown key `listen_prot` is ignored; did you mean `listen_port`?']);
  });

  it('accepts Tyk settings it does not implement with one warning each, and stays quiet about zero values', () => {
    const { config, warnings } = loadConfigDocument({ secret: 's', enable_analytics: true, enable_jsvm: false, template_path: '/opt/templates', uptime_tests: { disable: false } });
    assert.ok(config);
    assert.deepEqual(messages(warnings), [
      '`enable_analytics` (Tyk setting) is not supported by Hookgate yet and is ignored',
      '`template_path` (Tyk setting) is not supported by Hookgate yet and is ignored',
    ]);
  });

  it('resolves the client limits: Tyk read/write timeouts (0 = 120 s), body size, Hookgate limits', () => {
    const defaults = loadConfigDocument({ secret: 's' }).config;
    assert.ok(defaults);
    assert.deepEqual(defaults.limits, {
      headerTimeoutMs: 10_000,
      requestTimeoutMs: 120_000,
      responseTimeoutMs: 120_000,
      keepAliveTimeoutMs: 30_000,
      maxHeaderBytes: 32_768,
      maxHeaderCount: 100,
      maxConnections: 10_000,
      maxRequestBodyBytes: Infinity,
    });
    const set = loadConfigDocument({ secret: 's', http_server_options: { read_timeout: 30, write_timeout: 5, max_request_body_size: 1000 }, hookgate: { limits: { max_connections: 0 } } });
    assert.equal(set.config?.limits.requestTimeoutMs, 30_000);
    assert.equal(set.config?.limits.responseTimeoutMs, 5_000);
    assert.equal(set.config?.limits.maxRequestBodyBytes, 1000);
    assert.equal(set.config?.limits.maxConnections, 0);
    assert.deepEqual(set.warnings.filter((w) => w.path.startsWith('http_server_options')), [], 'no longer warned about or refused');
    const clash = loadConfigDocument({ secret: 's', http_server_options: { read_timeout: 5 }, hookgate: { limits: { header_timeout_ms: 6000 } } });
    assert.equal(clash.config, undefined);
    assert.match(messages(clash.errors).join('\n'), /`hookgate.limits.header_timeout_ms` \(6000\) must not be longer than the whole-request timeout/);
  });

  it('refuses settings whose absence would weaken security', () => {
    const { config, errors } = loadConfigDocument({
      http_server_options: { use_ssl: true },
      storage: { type: 'redis', use_ssl: true },
      hostname: 'api.example.com',
    });
    assert.equal(config, undefined);
    assert.equal(errors.length, 3);
    assert.match(messages(errors).join('\n'), /`http_server_options.use_ssl` is true but no server certificate is configured/);
    assert.match(messages(errors).join('\n'), /`storage.use_ssl` turns on TLS to Redis/);
    assert.match(messages(errors).join('\n'), /`hostname` turns on restricting every API to one host name/);
  });

  it('reads Tyk storage as Redis, addrs first, and "memory" as the in-memory store', () => {
    const redis = loadConfigDocument({ storage: { type: 'redis', host: 'r1', port: 7000, password: 'pw', database: 2, timeout: 2 } }).config;
    assert.deepEqual(redis?.storage, { kind: 'redis', host: 'r1', port: 7000, username: '', password: 'pw', database: 2, commandTimeoutMs: 2000 });
    const addrs = loadConfigDocument({ storage: { addrs: ['10.0.0.5:6380'] } }).config;
    assert.equal(addrs?.storage.kind === 'redis' && `${addrs.storage.host}:${addrs.storage.port}`, '10.0.0.5:6380');
    assert.equal(loadConfigDocument({ storage: { type: 'memory' } }).config?.storage.kind, 'memory');
    assert.match(messages(loadConfigDocument({ storage: { addrs: ['nohost'] } }).errors)[0] ?? '', /storage.addrs\[0\]` to be a "host:port" string/);
  });

  it('reads enable_cluster as Redis Cluster, seeded from every addrs entry, or from host and port as Tyk does', () => {
    const cluster = loadConfigDocument({ storage: { enable_cluster: true, addrs: ['h1:7000', 'h2:7001', '[::1]:7002'], username: 'u', password: 'pw', timeout: 2 } }).config;
    assert.deepEqual(cluster?.storage, {
      kind: 'redis-cluster',
      nodes: [{ host: 'h1', port: 7000 }, { host: 'h2', port: 7001 }, { host: '::1', port: 7002 }],
      username: 'u',
      password: 'pw',
      commandTimeoutMs: 2000,
    });
    const seed = loadConfigDocument({ storage: { type: 'redis', enable_cluster: true, host: 'r1', port: 7000 } }).config;
    assert.deepEqual(seed?.storage.kind === 'redis-cluster' && seed.storage.nodes, [{ host: 'r1', port: 7000 }]);
    assert.equal(loadConfigDocument({ storage: { type: 'memory', enable_cluster: true } }).config?.storage.kind, 'memory');
  });

  it('refuses a database other than 0 for Redis Cluster, which has only database 0', () => {
    const { config, errors } = loadConfigDocument({ storage: { enable_cluster: true, addrs: ['a:1'], database: 3 } });
    assert.equal(config, undefined);
    assert.deepEqual(messages(errors), ['`storage.database` must be 0 with `storage.enable_cluster`: a Redis Cluster has only database 0, got 3']);
    assert.equal(errors[0]?.path, 'storage.database');
  });

  it('warns that an empty secret disables the control API', () => {
    assert.match(loadConfigDocument({}).warnings.map((w) => w.message).join(), /`secret` is empty: the control API \(\/tyk\/...\) is disabled/);
  });

  it('freezes the resolved config', () => {
    const { config } = loadConfigDocument({ listen_port: 9000 });
    assert.ok(config && Object.isFrozen(config) && Object.isFrozen(config.listen) && Object.isFrozen(config.tyk));
    assert.throws(() => {
      (config.listen as { port: number }).port = 1;
    }, TypeError);
  });

  it('turns proxy_default_timeout seconds into a timeout and keeps Tyk default 30 s for 0', () => {
    assert.equal(loadConfigDocument({ proxy_default_timeout: 0.25 }).config?.proxy.timeoutMs, 250);
    assert.equal(loadConfigDocument({ proxy_default_timeout: 0 }).config?.proxy.timeoutMs, 30_000);
  });

  it('reads basic_auth_hash_key_function: bcrypt by default, and an unknown one is refused, not turned into bcrypt as Tyk does', () => {
    assert.equal(loadConfigDocument({}).config?.sessions.basicAuthHashFunction, 'bcrypt');
    assert.equal(loadConfigDocument({ basic_auth_hash_key_function: 'murmur128' }).config?.sessions.basicAuthHashFunction, 'murmur128');
    assert.deepEqual(loadConfigDocument({ secret: 's', basic_auth_hash_key_function: 'murmur128' }).warnings, [], 'no longer an ignored Tyk setting');
    const { config, errors } = loadConfigDocument({ basic_auth_hash_key_function: 'md5' });
    assert.equal(config, undefined);
    assert.deepEqual(messages(errors), ['Expected `basic_auth_hash_key_function` to be one of "", "bcrypt", "sha256", "murmur32", "murmur64", "murmur128", got "md5" (string)']);
  });
});
