import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../../gateway/meta.js';
import { tempDir, type TempDir } from './tmp.js';

export const CLI = join(PACKAGE_ROOT, 'dist', 'gateway', 'cli', 'main.js');

export interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly [key: string]: unknown;
}

export interface GatewayProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly port: number;
  readonly dir: TempDir;
  readonly logs: LogLine[];
  /** Everything the process wrote to stderr. */
  stderr(): string;
  /** Everything the process wrote to stdout, as written (the log lines before parsing). */
  stdout(): string;
  url(path: string): string;
  waitForLog(predicate: (line: LogLine) => boolean, timeoutMs?: number): Promise<LogLine>;
  /** Resolves with the exit code once the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends SIGTERM and waits for the exit. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Resident set size in KiB (VmRSS), and the peak so far (VmHWM). */
  memory(): { rssKiB: number; peakKiB: number };
}

export interface GatewayOptions {
  /** tyk.conf fields; `listen_port` 0 and `app_path` "apps" unless given. */
  readonly config?: Record<string, unknown>;
  /** API definitions by file name (objects are written as JSON, strings as they are). */
  readonly apis?: Record<string, unknown>;
  /** Other files (policies, keys), by path relative to the config's folder. */
  readonly files?: Record<string, unknown>;
  readonly readyTimeoutMs?: number;
  /** Environment variables added to this process's for the gateway. */
  readonly env?: Record<string, string>;
}

/** Writes a config and API definitions to a scratch folder and starts `hookgate start` on them. */
export async function startGatewayProcess(options: GatewayOptions = {}): Promise<GatewayProcess> {
  const dir = await tempDir();
  const config = { listen_address: '127.0.0.1', listen_port: 0, app_path: 'apps', log_format: 'json', ...options.config };
  await dir.write('tyk.conf', config);
  await dir.write('apps/.keep', '');
  for (const [name, api] of Object.entries(options.apis ?? {})) await dir.write(join('apps', name), api);
  for (const [name, content] of Object.entries(options.files ?? {})) await dir.write(name, content);
  // Generous: only a failing start waits this long, and a loaded 2-core machine starts node slowly.
  return spawnGateway(dir, ['start', '--conf', join(dir.path, 'tyk.conf')], options.readyTimeoutMs ?? 30_000, options.env);
}

export async function spawnGateway(dir: TempDir, args: string[], readyTimeoutMs: number, env?: Record<string, string>): Promise<GatewayProcess> {
  const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...(env === undefined ? {} : { env: { ...process.env, ...env } }) });
  const logs: LogLine[] = [];
  const waiters = new Set<{ predicate: (l: LogLine) => boolean; resolve: (l: LogLine) => void }>();
  let stderr = '';
  let stdout = '';
  let buffered = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    buffered += chunk;
    let newline: number;
    while ((newline = buffered.indexOf('\n')) !== -1) {
      const text = buffered.slice(0, newline);
      buffered = buffered.slice(newline + 1);
      if (text.trim() === '') continue;
      let line: LogLine;
      try {
        line = JSON.parse(text) as LogLine;
      } catch {
        line = { level: 0, msg: text };
      }
      logs.push(line);
      for (const waiter of waiters) {
        if (waiter.predicate(line)) {
          waiters.delete(waiter);
          waiter.resolve(line);
        }
      }
    }
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });

  const waitForLog = (predicate: (line: LogLine) => boolean, timeoutMs = 10_000): Promise<LogLine> => {
    const found = logs.find(predicate);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const waiter = { predicate, resolve: (l: LogLine) => (clearTimeout(timer), resolve(l)) };
      const timer = setTimeout(() => {
        waiters.delete(waiter);
        reject(new Error(`no matching log line within ${timeoutMs} ms; stderr: ${stderr}; logs:\n${logs.map((l) => JSON.stringify(l)).join('\n')}`));
      }, timeoutMs);
      waiters.add(waiter);
      void exited.then(() => {
        if (waiters.delete(waiter)) {
          clearTimeout(timer);
          reject(new Error(`gateway exited before the expected log line; stderr: ${stderr}`));
        }
      });
    });
  };

  const listening = await waitForLog((l) => l.msg === 'gateway listening', readyTimeoutMs).catch((err: unknown) => {
    child.kill('SIGKILL');
    throw err;
  });
  const port = listening['port'] as number;
  const pid = child.pid as number;
  return {
    child,
    pid,
    port,
    dir,
    logs,
    stderr: () => stderr,
    stdout: () => stdout,
    url: (path) => `http://127.0.0.1:${port}${path}`,
    waitForLog,
    exited,
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      const result = await exited;
      await dir.remove();
      return result;
    },
    memory() {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      const field = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
      return { rssKiB: field('VmRSS'), peakKiB: field('VmHWM') };
    },
  };
}

/** Runs the CLI to completion and returns its exit code and output; `cwd` defaults to this process's. */
export function runCli(args: string[], timeoutMs = 20_000, cwd?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'], ...(cwd === undefined ? {} : { cwd }) });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`hookgate ${args.join(' ')} did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
