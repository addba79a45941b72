#!/usr/bin/env node
// Runs every compiled test file (dist/test/**/*.test.js) with Node's test runner, and the Python
// unit tests when there are any. Node 20's runner takes files, not globs, so this finds them.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { availableParallelism } from 'node:os';

const root = new URL('..', import.meta.url).pathname;
const only = process.argv.slice(2);

function find(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) find(path, out);
    else if (entry.name.endsWith('.test.js')) out.push(path);
  }
  return out;
}

// Python unit tests (standard library unittest): the bridge's runtime, and each example bundle's
// own tests, which import the runtime (tyk, gateway, hookgate.testing) from PYTHONPATH.
const pythonRuntime = join(root, 'coprocess', 'bridge', 'python');
const pythonSuites = [
  { name: 'coprocess/bridge/python/tests', args: ['-s', 'tests', '-t', '.'], cwd: pythonRuntime },
  { name: 'examples/python-auth', args: ['-s', '.'], cwd: join(root, 'examples', 'python-auth') },
];

// Only files whose TypeScript source still exists: a deleted test's stale build must not run.
// (dist is not cleaned by the build, since `npm start` builds while tests may be running.)
let files = find(join(root, 'dist', 'test'))
  .filter((f) => existsSync(join(root, relative(join(root, 'dist'), f)).replace(/\.js$/, '.ts')))
  .sort();
let suites = pythonSuites;
if (only.length > 0) {
  files = files.filter((f) => only.some((o) => relative(root, f).includes(o)));
  suites = suites.filter((s) => only.some((o) => s.name.includes(o)));
}
if (files.length === 0 && suites.length === 0) {
  console.error('test/run.mjs: no compiled test files found under dist/test (run npm run build)');
  process.exit(1);
}

let pythonFailed = false;
if (suites.length > 0) {
  const python = process.env.HOOKGATE_TEST_PYTHON ?? 'python3';
  const probe = spawnSync(python, ['--version'], { encoding: 'utf8' });
  if (probe.error !== undefined) {
    const message = `test/run.mjs: ${python} not found: the Python unit tests cannot run`;
    if (process.env.CI === 'true') {
      console.error(message);
      process.exit(1);
    }
    console.error(`${message} (skipped; CI=true makes this a failure)`);
  } else {
    for (const suite of suites) {
      console.log(`# Python unittest: ${suite.name} (${probe.stdout.trim()})`);
      const env = { ...process.env, PYTHONPATH: [pythonRuntime, process.env.PYTHONPATH].filter(Boolean).join(':'), PYTHONDONTWRITEBYTECODE: '1' };
      const run = spawnSync(python, ['-m', 'unittest', 'discover', '-v', ...suite.args], { cwd: suite.cwd, env, stdio: 'inherit' });
      if (run.status !== 0) pythonFailed = true;
    }
  }
}
if (files.length === 0) process.exit(pythonFailed ? 1 : 0);

// Integration tests start gateways, upstreams and Redis servers of their own on ephemeral ports,
// so files can run side by side. A file whose tests are done exits even if a failed setup left a
// server listening (--test-force-exit), and a test (or a whole file) stuck for 15 minutes fails (--test-timeout):
// either would otherwise hang the whole run with nothing reported.
const concurrency = String(Math.max(2, Math.min(4, availableParallelism() * 2)));
const node = spawnSync(process.execPath, ['--test', '--test-force-exit', '--test-timeout=900000', `--test-concurrency=${concurrency}`, ...files], {
  stdio: 'inherit',
  cwd: root,
});
process.exit(pythonFailed ? 1 : (node.status ?? 1));
