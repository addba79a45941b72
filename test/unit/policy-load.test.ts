import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { loadConfigDocument } from '../../gateway/config/index.js';
import { loadPolicies } from '../../gateway/policy/index.js';
import { tempDir, type TempDir } from '../helpers/tmp.js';

const dirs: TempDir[] = [];
const scratch = async () => {
  const dir = await tempDir();
  dirs.push(dir);
  return dir;
};
after(async () => {
  for (const dir of dirs) await dir.remove();
});

describe('policy files', () => {
  it('a record file: the key is the ID, every policy validated, unknown keys warned about', async () => {
    const dir = await scratch();
    const file = await dir.write('policies.json', { gold: { id: 'ignored', org_id: 'o', rate: 10, per: 1, access_rights: { a: { versions: ['Default'] } }, colour: 'gold' }, '': { id: 'named', rate: 1, per: 1 } });
    const result = await loadPolicies({ dir: undefined, recordFile: file });
    assert.deepEqual(result.errors, []);
    assert.deepEqual(result.policies.map((p) => [p.id, p.org_id, p.rate]), [['gold', 'o', 10], ['named', '', 1]]);
    assert.equal(result.warnings.length, 1);
    assert.match(result.warnings[0]?.problem.message ?? '', /policy "gold": Unknown key `colour`/);
  });

  it('refuses what Hookgate cannot enforce, naming file, policy and field; accepts Tyk\'s "off" values', async () => {
    const dir = await scratch();
    const file = await dir.write('policies.json', {
      paths: { access_rights: { a: { allowed_urls: [{ url: '/x', methods: ['GET'] }] } } },
      gql: { access_rights: { a: { restricted_types: [{ name: 'Dog', fields: ['name'] }] } }, max_query_depth: 5 },
      throttle: { throttle_interval: 2, throttle_retry_limit: 3 },
      offs: { throttle_interval: -1, throttle_retry_limit: -1, max_query_depth: -1, hmac_enabled: false, access_rights: { a: { allowed_urls: [], limit: null } } },
      typed: { rate: 'fast' },
    });
    const result = await loadPolicies({ dir: undefined, recordFile: file });
    const messages = result.errors.map((e) => `${e.problem.path} ${e.problem.message}`);
    assert.equal(result.errors.every((e) => e.file === file), true);
    for (const expected of [
      /^paths\.access_rights\.a\.allowed_urls .*path and method restrictions/,
      /^gql\.access_rights\.a\.restricted_types .*GraphQL type restrictions/,
      /^gql\.max_query_depth .*GraphQL query depth/,
      /^throttle\.throttle_interval .*throttling/,
      /^typed\.rate policy "typed": Expected `rate` to be a number, got "fast"/,
    ]) assert.ok(messages.some((m) => expected.test(m)), `${expected} in ${messages.join('\n')}`);
    assert.equal(messages.some((m) => m.startsWith('offs')), false, messages.join('\n'));
  });

  it('a folder of policy files: `id` names each; a missing ID, a duplicate or bad JSON is an error naming the file', async () => {
    const dir = await scratch();
    await dir.write('p/a.json', { id: 'a', rate: 1, per: 1 });
    await dir.write('p/b.json', { _id: '5f0c8b2e9d1b2c3d4e5f6a7b', rate: 2, per: 1 });
    await dir.write('p/ignored.txt', 'not a policy');
    let result = await loadPolicies({ dir: `${dir.path}/p`, recordFile: undefined });
    assert.deepEqual(result.errors, []);
    assert.deepEqual(result.policies.map((p) => p.id), ['a', '5f0c8b2e9d1b2c3d4e5f6a7b']);
    await dir.write('p/c.json', { rate: 3 });
    await dir.write('p/d.json', { id: 'a' });
    await dir.write('p/e.json', '{"id": "e",');
    result = await loadPolicies({ dir: `${dir.path}/p`, recordFile: undefined });
    assert.deepEqual(result.errors.map((e) => e.file.slice(dir.path.length)), ['/p/c.json', '/p/d.json', '/p/e.json']);
    assert.match(result.errors[1]?.problem.message ?? '', /`id` "a" \(org ""\) is already defined in .*a\.json/);
    const missing = await loadPolicies({ dir: `${dir.path}/nope`, recordFile: undefined });
    assert.match(missing.errors[0]?.problem.message ?? '', /policy_path.*cannot read the folder/);
    const noFile = await loadPolicies({ dir: undefined, recordFile: `${dir.path}/nope.json` });
    assert.match(noFile.errors[0]?.problem.message ?? '', /policy_record_name.*does not exist/);
  });
});

describe('tyk.conf policies section', () => {
  it('policy_path wins over policy_record_name (warned); paths resolve against the config folder; Dashboard and RPC sources are refused', () => {
    const both = loadConfigDocument({ policies: { policy_source: 'file', policy_path: 'pols', policy_record_name: 'p.json' } }, '/etc/hg/tyk.conf');
    assert.deepEqual(both.config?.policies, { dir: '/etc/hg/pols', recordFile: undefined });
    assert.ok(both.warnings.some((w) => w.path === 'policies.policy_record_name'));
    const record = loadConfigDocument({ policies: { policy_record_name: 'p.json' } }, '/etc/hg/tyk.conf');
    assert.deepEqual(record.config?.policies, { dir: undefined, recordFile: '/etc/hg/p.json' });
    assert.deepEqual(loadConfigDocument({}).config?.policies, { dir: undefined, recordFile: undefined });
    const service = loadConfigDocument({ policies: { policy_source: 'service', policy_connection_string: 'http://dash' } });
    assert.equal(service.config, undefined);
    assert.match(service.errors[0]?.message ?? '', /policies.policy_source.*not supported/);
  });
});
