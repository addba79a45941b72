import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PACKAGE_ROOT } from '../../gateway/meta.js';
import { testTransport } from './apis.js';
import { startGatewayProcess, type GatewayProcess, type LogLine } from './gateway-process.js';
import type { TempDir } from './tmp.js';

/** The tutorial's bundle (examples/python-auth). */
export const PYTHON_AUTH_BUNDLE = join(PACKAGE_ROOT, 'examples', 'python-auth');
export const TUTORIAL_KEY = '47a0c79c427728b3df4af62b9228c8ae';

/** Writes a bundle folder: manifest.json plus files. */
export async function writeBundle(dir: TempDir, folder: string, manifest: Record<string, unknown>, files: Record<string, string>): Promise<string> {
  for (const [name, text] of Object.entries(files)) await dir.write(join(folder, name), text);
  await dir.write(join(folder, 'manifest.json'), manifest);
  return join(dir.path, folder);
}

/** A Python API on a bundle folder (absolute path), protected by its auth_check when it has one. */
export function pythonApi(id: string, listenPath: string, targetUrl: string, bundlePath: string, extra: Record<string, unknown> = {}) {
  return {
    api_id: id,
    name: `${id} API`,
    org_id: 'test-org',
    use_keyless: false,
    enable_coprocess_auth: true,
    proxy: { listen_path: listenPath, target_url: targetUrl, strip_listen_path: true },
    version_data: { not_versioned: true, versions: { Default: { name: 'Default' } } },
    hookgate: { bundle_path: bundlePath },
    ...extra,
  };
}

/** A gateway with Python plugins on (2 workers per bundle unless `coprocess` says otherwise). */
export function pythonGateway(apis: Record<string, unknown>, config: Record<string, unknown> = {}, coprocess: Record<string, unknown> = {}): Promise<GatewayProcess> {
  return startGatewayProcess({
    readyTimeoutMs: 60_000,
    config: { coprocess_options: { enable_coprocess: true, python_workers: 2, dispatch_timeout_ms: 3000, ...testTransport(), ...coprocess }, ...config },
    apis,
  });
}

/** The bridges' "python bridge ready" lines, as the gateway logged them (one per bridge start). */
export function bridgeStarts(gw: GatewayProcess, plugin?: string): { bridgePid: number; workerPids: number[]; line: LogLine }[] {
  return gw.logs
    .filter((l) => l.msg === 'python bridge ready' && (plugin === undefined || l['plugin'] === plugin))
    .map((line) => ({ bridgePid: line['bridge_pid'] as number, workerPids: line['worker_pids'] as number[], line }));
}

/** Alive and not a zombie (this machine's init may not reap orphans). */
export function running(pid: number): boolean {
  if (!existsSync(`/proc/${pid}`)) return false;
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

/** The pids of Python worker processes whose parent is `parent`. */
export function workerChildren(parent: number): number[] {
  try {
    return readFileSync(`/proc/${parent}/task/${parent}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number)
      .filter((pid) => {
        try {
          return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('hookgate_worker.py');
        } catch {
          return false;
        }
      });
  } catch {
    return [];
  }
}

export async function until<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${what}`);
    await sleep(25);
  }
}

/** Log lines a plugin wrote with tyk.log, as (level, message). */
export function pluginLogs(gw: GatewayProcess, plugin: string): [number, string][] {
  return gw.logs.filter((l) => l['component'] === 'python' && l['plugin'] === plugin && typeof l['hook'] === 'string').map((l) => [l.level, l.msg]);
}
