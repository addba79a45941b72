#!/usr/bin/env node
// Runs the fault suite (dist/test/faults/*.fault.js): faults injected under load and the soak.
// One file at a time: each puts a gateway under steady load on a shared machine, and its recovery
// times mean more when it does not compete with another file's load. `npm test` does not run
// these (they are not *.test.js); `.ci/run` runs both. Arguments filter files by substring.
// HOOKGATE_SOAK_MS sets the soak's length (default in test/faults/soak.fault.ts).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const dir = join(root, 'dist', 'test', 'faults');
const only = process.argv.slice(2);
// Only files whose TypeScript source still exists (a deleted file's stale build must not run).
let files = existsSync(dir)
  ? readdirSync(dir).filter((f) => f.endsWith('.fault.js') && existsSync(join(root, 'test', 'faults', f.replace(/\.js$/, '.ts')))).sort().map((f) => join(dir, f))
  : [];
if (only.length > 0) files = files.filter((f) => only.some((o) => relative(root, f).includes(o)));
if (files.length === 0) {
  console.error('test/run-faults.mjs: no compiled fault files under dist/test/faults (run npm run build)');
  process.exit(1);
}
const started = Date.now();
// As test/run.mjs: a file exits once its tests are done, and a test stuck for 10 minutes fails.
const run = spawnSync(process.execPath, ['--test', '--test-force-exit', '--test-timeout=600000', '--test-concurrency=1', ...files], { stdio: 'inherit', cwd: root });
console.log(`# fault suite: ${files.length} files in ${((Date.now() - started) / 1000).toFixed(0)} s`);
process.exit(run.status ?? 1);
