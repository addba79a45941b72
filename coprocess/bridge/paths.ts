import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const WORKER_ENTRY = 'hookgate_worker.py';

/**
 * The folder of Hookgate's Python runtime (`tyk`, `gateway`, `hookgate`), found by walking up
 * from this file: it sits next to the TypeScript sources, which dist/ does not copy.
 */
function findRuntimeDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'coprocess', 'bridge', 'python');
    if (existsSync(join(candidate, WORKER_ENTRY))) return candidate;
    const here = join(dir, 'python');
    if (existsSync(join(here, WORKER_ENTRY))) return here;
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`coprocess/bridge/python/${WORKER_ENTRY} not found above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
}

/** Put this on PYTHONPATH to import `tyk`, `gateway` and `hookgate.testing` outside the bridge. */
export const PYTHON_RUNTIME_DIR = findRuntimeDir();

/** The script each worker process runs. */
export const WORKER_SCRIPT = join(PYTHON_RUNTIME_DIR, WORKER_ENTRY);
