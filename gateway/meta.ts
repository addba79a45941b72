import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder holding Hookgate's package.json, found from this file (source or dist). */
function findPackageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string };
      if (pkg.name === 'hookgate') return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error('Hookgate package.json not found above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
}

export const PACKAGE_ROOT = findPackageRoot();

export const VERSION: string = (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;

/**
 * This process's slot (1..N) under `hookgate start --workers N`, set by the primary in the
 * worker's environment; undefined for a gateway on its own. `/hello` and `/ready` name it.
 */
export const WORKER_ID: string | undefined = process.env['HOOKGATE_WORKER_ID'] === '' ? undefined : process.env['HOOKGATE_WORKER_ID'];

/** How many gateway workers share this machine (`--workers N`; 1 for a gateway on its own). */
export const CLUSTER_WORKERS: number = Math.max(1, Number(process.env['HOOKGATE_WORKERS'] ?? '1') || 1);
