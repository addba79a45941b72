import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { PACKAGE_ROOT } from '../../gateway/meta.js';
import { hasPythonModules, requirePythonModules } from './programs.js';

/** The independent plugin server: Python, grpcio, stubs generated from proto/ at start-up. */
export const GRPCIO_PLUGIN_SERVER = join(PACKAGE_ROOT, 'test', 'fixtures', 'grpcio-plugin', 'server.py');

/** The header value GrpcioAuth accepts. */
export const GRPCIO_SECRET_TOKEN = 'grpcio-secret-token';

const MODULES = ['grpc', 'grpc_tools'] as const;
const INSTALL_HINT = 'python3 -m pip install grpcio grpcio-tools';
/** The first run generates the stubs and imports grpc; generous because CI machines can be slow. */
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 10_000;

export interface GrpcioPlugin {
  /** What a gRPC client dials: `127.0.0.1:<port>` or `unix:///path`. */
  readonly address: string;
  readonly pid: number;
  /** SIGTERM, then waits for the exit (SIGKILL after 10 s). Safe to call twice. */
  stop(): Promise<void>;
  /** The DispatchEvent payloads received so far, parsed, oldest first ([] after stop() when the helper chose the file). */
  events(): unknown[];
}

export interface GrpcioPluginOptions {
  /** Where the server appends event payloads; a file in a fresh temp folder when omitted. */
  eventsFile?: string;
  /** `host:port` (port 0 = any free port) or `unix:///path`; default `127.0.0.1:0`. */
  address?: string;
  /** Seconds calls under way get to finish on stop() (the server's --grace; 2 by default). */
  graceSeconds?: number;
}

let available: boolean | undefined;

/** True when python3 with grpcio and grpcio-tools is installed (checked once per process). */
export function hasGrpcio(): boolean {
  available ??= hasPythonModules(MODULES);
  return available;
}

/**
 * Call first in a test that needs the grpcio plugin: skips the test on a laptop without python3,
 * grpcio or grpcio-tools, and fails it on CI (CI=true). Returns false when the test was skipped.
 */
export function requireGrpcio(t: TestContext): boolean {
  if (hasGrpcio()) return true;
  return requirePythonModules(t, MODULES, INSTALL_HINT);
}

/** Starts test/fixtures/grpcio-plugin/server.py and resolves once it prints READY. */
export function startGrpcioPlugin(options: GrpcioPluginOptions = {}): Promise<GrpcioPlugin> {
  const scratch = options.eventsFile === undefined ? mkdtempSync(join(tmpdir(), 'hookgate-grpcio-')) : undefined;
  const eventsFile = options.eventsFile ?? join(scratch ?? '', 'events.jsonl');
  const removeScratch = () => {
    if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
  };

  // --exit-with-stdin: the server also stops if this process dies without calling stop().
  const args = [GRPCIO_PLUGIN_SERVER, '--address', options.address ?? '127.0.0.1:0', '--events-file', eventsFile, '--exit-with-stdin'];
  if (options.graceSeconds !== undefined) args.push('--grace', String(options.graceSeconds));
  const child = spawn('python3', args, { cwd: PACKAGE_ROOT, stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, PYTHONUNBUFFERED: '1' } });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-8192);
  });

  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
      }
      child.stdin.destroy();
      removeScratch();
    })();
    return stopped;
  };

  const events = (): unknown[] => {
    if (!existsSync(eventsFile)) return [];
    return readFileSync(eventsFile, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as unknown);
  };

  return new Promise((resolve, reject) => {
    let stdout = '';
    let ready = false;
    const fail = (why: string) => {
      if (ready) return;
      ready = true;
      clearTimeout(timer);
      void stop().then(() => reject(new Error(`grpcio plugin server ${why}${stderr === '' ? '' : `; stderr:\n${stderr}`}`)));
    };
    const timer = setTimeout(() => fail(`printed no READY line within ${READY_TIMEOUT_MS / 1000} s`), READY_TIMEOUT_MS);

    child.once('error', (err) => fail(`could not start python3: ${err.message}`));
    child.once('exit', (code, signal) => fail(`exited (${signal ?? code}) before it was ready`));
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      if (ready) return; // keep draining the pipe; nothing else is expected
      stdout += chunk;
      const match = /^READY (\S+)\r?\n/m.exec(stdout);
      if (match?.[1] === undefined || child.pid === undefined) return;
      ready = true;
      clearTimeout(timer);
      resolve({ address: match[1], pid: child.pid, stop, events });
    });
  });
}
