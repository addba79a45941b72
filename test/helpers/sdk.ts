import { spawn, type ChildProcess } from 'node:child_process';
import { pino, type Logger } from 'pino';

export interface LogRecord {
  readonly level: number;
  readonly msg: string;
  readonly [key: string]: unknown;
}

/** A pino logger whose lines are kept as parsed records, to assert on what a server logged. */
export function captureLogger(level = 'debug'): { logger: Logger; records: LogRecord[] } {
  const records: LogRecord[] = [];
  const logger = pino({ level }, { write: (line: string) => records.push(JSON.parse(line) as LogRecord) });
  return { logger, records };
}

export interface PluginProcess {
  readonly child: ChildProcess;
  readonly address: string;
  readonly records: LogRecord[];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr(): string;
}

/**
 * Runs a plugin entry point (`node <file>`) on an ephemeral port and waits for its
 * "plugin server ready" log line.
 */
export function spawnPlugin(file: string, env: Record<string, string> = {}, timeoutMs = 10_000): Promise<PluginProcess> {
  const child = spawn(process.execPath, [file], {
    env: { ...process.env, HOOKGATE_PLUGIN_ADDRESS: '127.0.0.1:0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const records: LogRecord[] = [];
  let stderr = '';
  let buffered = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no "plugin server ready" line within ${timeoutMs} ms; stderr: ${stderr}`));
    }, timeoutMs);
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`the plugin exited (${code}) before it was ready; stderr: ${stderr}`));
    });
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      buffered += chunk;
      let newline: number;
      while ((newline = buffered.indexOf('\n')) !== -1) {
        const text = buffered.slice(0, newline);
        buffered = buffered.slice(newline + 1);
        if (text.trim() === '') continue;
        const record = JSON.parse(text) as LogRecord;
        records.push(record);
        if (record.msg === 'plugin server ready') {
          clearTimeout(timer);
          resolve({ child, address: String(record['address']), records, exited, stderr: () => stderr });
        }
      }
    });
  });
}
