// The gateway's coprocess conformance suites run with the default Dispatch transport as part of
// the whole test run; this file runs them once more with the other transport
// (HOOKGATE_TEST_TRANSPORT, read by test/helpers/apis.ts), so both transports pass the same
// suites without a copy of them.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadConfigDocument } from '../../gateway/config/index.js';
import { PACKAGE_ROOT } from '../../gateway/meta.js';

/** Every gateway suite whose plugin config comes from coprocessConfig() (test/helpers/apis.ts). */
const SUITES = /^(coprocess-.*|grpcio-gateway|sessions-plugin|id-extractor-gateway|gateway-sidecars)\.test\.js$/;

describe('coprocess conformance suites on the non-default transport', () => {
  const defaultTransport = loadConfigDocument({}).config?.coprocess.transport ?? 'grpc-js';
  const other = defaultTransport === 'h2' ? 'grpc-js' : 'h2';

  it(`pass with coprocess_options.transport = "${other}"`, { timeout: 15 * 60_000 }, async () => {
    const dir = join(PACKAGE_ROOT, 'dist', 'test', 'integration');
    const files = readdirSync(dir)
      .filter((f) => SUITES.test(f))
      .sort()
      .map((f) => join(dir, f));
    assert.ok(files.length >= 9, `found the suites: ${files.join(', ')}`);
    // Without NODE_TEST_CONTEXT, which would make the nested runner report to this one in its own protocol.
    const { NODE_TEST_CONTEXT: _, ...env } = process.env;
    const child = spawn(process.execPath, ['--test', '--test-force-exit', '--test-timeout=300000', '--test-concurrency=1', ...files], {
      cwd: PACKAGE_ROOT,
      env: { ...env, HOOKGATE_TEST_TRANSPORT: other },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    const summary = output.split('\n').filter((line) => /^# (tests|pass|fail|cancelled)/.test(line));
    const failures = output.split('\n').filter((line) => /^\s*not ok/.test(line));
    assert.equal(code, 0, `the suites failed with transport ${other}:\n${failures.join('\n')}\n${summary.join('\n')}\n${output.slice(-4000)}`);
    assert.ok(summary.some((line) => /^# pass [1-9]/.test(line)), summary.join('\n'));
  });
});
