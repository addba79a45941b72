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

let files = find(join(root, 'dist', 'test')).sort();
if (only.length > 0) files = files.filter((f) => only.some((o) => relative(root, f).includes(o)));
if (files.length === 0) {
  console.error('test/run.mjs: no compiled test files found under dist/test (run npm run build)');
  process.exit(1);
}

// Integration tests start gateways, upstreams and Redis servers of their own on ephemeral ports,
// so files can run side by side.
const concurrency = String(Math.max(2, Math.min(4, availableParallelism() * 2)));
const node = spawnSync(process.execPath, ['--test', `--test-concurrency=${concurrency}`, ...files], {
  stdio: 'inherit',
  cwd: root,
});
process.exit(node.status ?? 1);
