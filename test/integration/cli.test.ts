import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../helpers/gateway-process.js';
import { keylessApi } from '../helpers/apis.js';
import { tempDir, type TempDir } from '../helpers/tmp.js';

describe('hookgate check and start with bad input', () => {
  let dir: TempDir;
  before(async () => {
    dir = await tempDir();
    // Three different mistakes: a wrong type, a value out of range, and a misspelt enum value.
    await dir.write('bad/tyk.conf', { listen_port: 'eighty', storage: { type: 'redis', port: 99999 }, log_level: 'loud', app_path: 'apps' });
    await dir.write('bad/apps/a.json', keylessApi('a', '/a/', 'http://127.0.0.1:1'));
    await dir.write('good/tyk.conf', { listen_port: 0, app_path: 'apps', listen_prot: 1 });
    await dir.write('good/apps/ok.json', keylessApi('ok', '/ok/', 'http://127.0.0.1:1'));
    await dir.write('good/apps/broken.json', { api_id: 'broken', use_keyless: true, proxy: { listen_path: 'no-slash', target_url: 'http://127.0.0.1:1' } });
    await dir.write('good/apps/syntax.json', '{\n  "api_id": "x",\n}\n');
    await dir.write('clean/tyk.conf', { app_path: 'apps' });
    await dir.write('clean/apps/ok.json', keylessApi('ok', '/ok/', 'http://127.0.0.1:1'));
    await dir.write('noapps/tyk.conf', { app_path: 'missing-folder' });
  });
  after(() => dir.remove());

  const threeMistakes = [
    'Expected `listen_port` to be an integer from 0 to 65535, got "eighty" (string)',
    'Expected `storage.port` to be an integer from 1 to 65535, got 99999 (number)',
    'Expected `log_level` to be one of',
  ];

  it('check refuses a config with three mistakes, naming all three, exit 1', async () => {
    const result = await runCli(['check', '--conf', join(dir.path, 'bad/tyk.conf')]);
    assert.equal(result.code, 1);
    for (const mistake of threeMistakes) assert.ok(result.stderr.includes(mistake), `missing: ${mistake}\n${result.stderr}`);
    assert.match(result.stderr, /3 errors/);
  });

  it('start refuses the same config with all three named, and does not listen', async () => {
    const result = await runCli(['start', '--conf', join(dir.path, 'bad/tyk.conf')]);
    assert.equal(result.code, 1);
    for (const mistake of threeMistakes) assert.ok(result.stderr.includes(mistake), `missing: ${mistake}\n${result.stderr}`);
    assert.match(result.stderr, /refusing to start/);
    assert.doesNotMatch(result.stdout, /gateway listening/);
  });

  it('check names each broken API definition by file and field, and the misspelt config key', async () => {
    const result = await runCli(['check', '--conf', join(dir.path, 'good/tyk.conf')]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /apps\/broken\.json \(api_id "broken"\): Expected `proxy.listen_path` to be a string starting with \//);
    assert.match(result.stderr, /apps\/syntax\.json: invalid JSON at line 3, column 1: trailing comma before "}"/);
    assert.match(result.stderr, /Unknown key `listen_prot` is ignored; did you mean `listen_port`\?/);
    assert.match(result.stderr, /1 loaded, 2 refused/);
  });

  it('check passes a clean config with exit 0; --strict fails on warnings', async () => {
    const clean = await runCli(['check', '--conf', join(dir.path, 'clean/tyk.conf')]);
    assert.equal(clean.code, 0, clean.stderr);
    assert.match(clean.stdout, /OK: no errors/);
    const strict = await runCli(['check', '--strict', '--conf', join(dir.path, 'good/tyk.conf')]);
    assert.equal(strict.code, 1);
  });

  it('a missing app_path folder is a config error', async () => {
    const result = await runCli(['check', '--conf', join(dir.path, 'noapps/tyk.conf')]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /`app_path`: folder .*missing-folder does not exist/);
  });

  it('a missing config file is named', async () => {
    const result = await runCli(['check', '--conf', join(dir.path, 'nope.conf')]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /cannot read .*nope\.conf: the file does not exist/);
  });

  it('unknown flags are an error listing the known ones, exit 2', async () => {
    const start = await runCli(['start', '--config', 'x']);
    assert.equal(start.code, 2);
    assert.match(start.stderr, /hookgate start: unknown option --config\. Known options: --conf <file>, --workers <n\|auto>, --help/);
    const check = await runCli(['check', '--verbose']);
    assert.equal(check.code, 2);
    assert.match(check.stderr, /Known options: --conf <file>, --strict, --help/);
    const command = await runCli(['serve']);
    assert.equal(command.code, 2);
    assert.match(command.stderr, /unknown command "serve"\. Commands: start, check/);
    const missing = await runCli(['check', '--conf']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /needs a value/);
  });

  it('--help works for every command', async () => {
    for (const args of [['--help'], ['start', '--help'], ['check', '-h'], ['help', 'check']]) {
      const result = await runCli(args);
      assert.equal(result.code, 0, args.join(' '));
      assert.match(result.stdout, /^Usage: hookgate/);
    }
    assert.match((await runCli(['start', '--help'])).stdout, /--conf <file>/);
  });
});
