import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { checkCommand } from '../../gateway/cli/check.js';
import { loadConfigDocument } from '../../gateway/config/index.js';
import { tempDir, type TempDir } from '../helpers/tmp.js';

/**
 * Random mutations of tyk.conf and API definitions fed to what `hookgate check` runs, in
 * process: the loader never throws; it answers a valid config or a list of problems, and check
 * exits 0 or 1 with a report.
 */

export const RUNS = { configDocuments: 400, files: 250 } as const;
const SEED = 1104;

export const BASE_CONFIG = {
  listen_address: '127.0.0.1',
  listen_port: 0,
  secret: 's3cret',
  app_path: 'apps',
  middleware_path: 'middleware',
  storage: { type: 'memory' },
  log_level: 'info',
  hash_keys: true,
  hash_key_function: 'murmur64',
  coprocess_options: {
    enable_coprocess: true,
    coprocess_grpc_server: 'tcp://127.0.0.1:5555',
    dispatch_timeout_ms: 1000,
    sidecars: [{ name: 'auth', command: 'node', args: ['plugin.js'], address: '127.0.0.1:5556' }],
  },
  http_server_options: { read_timeout: 60, write_timeout: 60, max_request_body_size: 1_000_000 },
  proxy_default_timeout: 10,
  hookgate: { limits: { header_timeout_ms: 5000, max_connections: 100 }, upstream: { connections_per_origin: 10 }, bundles: { max_files: 10 } },
};

export const BASE_APIS: Record<string, unknown> = {
  'keyless.json': {
    api_id: 'keyless', name: 'k', org_id: 'o', use_keyless: true,
    proxy: { listen_path: '/k/', target_url: 'http://127.0.0.1:9/', strip_listen_path: true },
    version_data: { not_versioned: true, versions: { Default: { name: 'Default', global_size_limit: 100 } } },
  },
  'token.json': {
    api_id: 'token', name: 't', org_id: 'o', use_standard_auth: true, auth_configs: { authToken: { auth_header_name: 'X-Key' } },
    proxy: { listen_path: '/t/', target_url: 'http://127.0.0.1:9/' },
  },
  'plugin.json': {
    api_id: 'plugin', name: 'p', org_id: 'o', enable_coprocess_auth: true,
    custom_middleware: { driver: 'grpc', pre: [{ name: 'Pre' }], auth_check: { name: 'Auth' }, response: [{ name: 'Resp' }] },
    proxy: { listen_path: '/p/', target_url: 'http://127.0.0.1:9/' },
    hookgate: { plugin_server: 'sidecar:auth', hooks: { Pre: { fail_open: true } } },
  },
};

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every path to a value in a JSON tree. */
function pathsOf(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  const out: (string | number)[][] = [prefix];
  if (Array.isArray(value)) value.forEach((v, i) => out.push(...pathsOf(v, [...prefix, i])));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) out.push(...pathsOf(v, [...prefix, k]));
  return out;
}

const hostileValue: fc.Arbitrary<Json> = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
  fc.constantFrom<Json>(-1, 0, 1e308, -1e308, 2 ** 53, 0.5, '', '../../etc', '/', 'sidecar:nope', 'unix://', 'http://', '%', '\u0000', [], {}, null, true),
);

/** Applies one mutation at the path chosen by `pick` (a fraction of the paths). */
const mutation = fc.tuple(fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), fc.constantFrom('replace', 'delete', 'rename', 'wrap', 'add'), hostileValue, fc.string({ maxLength: 12 }));

function mutate(doc: Json, [pick, op, value, name]: [number, string, Json, string]): Json {
  const copy = structuredClone(doc);
  const paths = pathsOf(copy);
  const path = paths[Math.floor(pick * paths.length)] ?? [];
  if (path.length === 0) return op === 'wrap' ? [copy] : value;
  let parent: Json = copy;
  for (const key of path.slice(0, -1)) parent = (parent as Record<string | number, Json>)[key] as Json;
  const last = path[path.length - 1] as string | number;
  const container = parent as Record<string | number, Json>;
  if (op === 'replace') container[last] = value;
  else if (op === 'delete') delete container[last];
  else if (op === 'wrap') container[last] = [container[last] ?? null];
  else if (op === 'rename' && !Array.isArray(parent)) {
    container[`${String(last)}${name}`] = container[last] ?? null;
    delete container[last];
  } else if (typeof container[last] === 'object' && container[last] !== null && !Array.isArray(container[last])) (container[last] as Record<string, Json>)[name] = value;
  return copy;
}

/** Text-level damage: truncation, a byte inserted, a byte replaced. */
const textDamage = fc.tuple(fc.constantFrom('truncate', 'insert', 'replace', 'none'), fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), fc.constantFrom('{', '}', '"', ',', ':', '\u0000', '\\', 'x', '9', '\ufeff'));

function damage(text: string, [op, at, char]: [string, number, string]): string {
  const i = Math.floor(at * text.length);
  if (op === 'truncate') return text.slice(0, i);
  if (op === 'insert') return text.slice(0, i) + char + text.slice(i);
  if (op === 'replace') return text.slice(0, i) + char + text.slice(i + 1);
  return text;
}

describe('hostile input: mutated tyk.conf and API definitions', () => {
  let dir: TempDir;
  before(async () => {
    dir = await tempDir();
  });
  after(async () => {
    await dir.remove();
  });

  it('the unmutated documents pass check (so mutations start from a valid gateway)', async () => {
    for (const [name, api] of Object.entries(BASE_APIS)) await dir.write(`apps/${name}`, api);
    await dir.write('tyk.conf', BASE_CONFIG);
    let out = '';
    assert.equal(await checkCommand(['--conf', `${dir.path}/tyk.conf`], { out: (s) => (out += s), err: (s) => (out += s) }), 0, out);
  });

  it(`loadConfigDocument never throws on mutated documents (${RUNS.configDocuments} cases)`, (t) => {
    let valid = 0;
    fc.assert(
      fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (mutations) => {
        const doc = mutations.reduce<Json>((d, m) => mutate(d, m), BASE_CONFIG as unknown as Json);
        const result = loadConfigDocument(doc);
        if (result.config !== undefined) {
          valid++;
          assert.equal(result.errors.length, 0);
          assert.ok(Object.isFrozen(result.config));
        } else {
          assert.ok(result.errors.length > 0, 'no config and no problem');
          for (const problem of result.errors) assert.ok(typeof problem.path === 'string' && problem.message.length > 0);
        }
      }),
      { seed: SEED, numRuns: RUNS.configDocuments },
    );
    t.diagnostic(`config documents: ${RUNS.configDocuments}, still valid: ${valid}`);
  });

  it(`hookgate check on mutated files never throws (${RUNS.files} cases)`, async (t) => {
    let exitZero = 0;
    const names = ['tyk.conf', ...Object.keys(BASE_APIS).map((n) => `apps/${n}`)];
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...names), fc.array(mutation, { maxLength: 3 }), textDamage, async (target, mutations, harm) => {
        for (const name of names) {
          const base = (name === 'tyk.conf' ? BASE_CONFIG : BASE_APIS[name.slice(5)]) as Json;
          const doc = name === target ? mutations.reduce<Json>((d, m) => mutate(d, m), base) : base;
          const text = JSON.stringify(doc, null, 2) ?? 'null';
          await dir.write(name, name === target ? damage(text, harm) : text);
        }
        let out = '';
        const code = await checkCommand(['--conf', `${dir.path}/tyk.conf`], { out: (s) => (out += s), err: (s) => (out += s) });
        assert.ok(code === 0 || code === 1, `exit ${code}`);
        if (code === 0) exitZero++;
        else assert.ok(out.length > 0, 'a failing check says why');
      }),
      { seed: SEED, numRuns: RUNS.files },
    );
    t.diagnostic(`check runs: ${RUNS.files}, exit 0: ${exitZero}`);
  });
});
