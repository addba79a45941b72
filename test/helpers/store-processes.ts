import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { it, type TestContext } from 'node:test';
import type { StorageConfig } from '../../gateway/config/index.js';
import { PACKAGE_ROOT } from '../../gateway/meta.js';
import type { HammerJob, HammerResult } from '../fixtures/store-hammer.js';

export const STORE_HAMMER = join(PACKAGE_ROOT, 'dist', 'test', 'fixtures', 'store-hammer.js');

const READY_TIMEOUT_MS = 15_000;
const RUN_TIMEOUT_MS = 15_000;

interface Hammer {
  readonly child: ChildProcess;
  next(): Promise<Record<string, unknown>>;
  stderr(): string;
}

function spawnHammer(job: HammerJob): Hammer {
  const child = spawn(process.execPath, [STORE_HAMMER, JSON.stringify(job)], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const pending: Record<string, unknown>[] = [];
  const waiting: ((line: Record<string, unknown>) => void)[] = [];
  createInterface({ input: child.stdout as NodeJS.ReadableStream }).on('line', (text) => {
    const line = JSON.parse(text) as Record<string, unknown>;
    const waiter = waiting.shift();
    if (waiter === undefined) pending.push(line);
    else waiter(line);
  });
  return {
    child,
    stderr: () => stderr,
    next: () => {
      const line = pending.shift();
      if (line !== undefined) return Promise.resolve(line);
      return new Promise((resolve, reject) => {
        waiting.push(resolve);
        // 'close', not 'exit': stdout may still hold the last line when the process has exited.
        child.once('close', (code) => reject(new Error(`store-hammer exited (${code}) without another line: ${stderr}`)));
      });
    },
  };
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Runs `jobs` in separate Node processes, each with its own store; starts their hits together once
 * every process is connected. Resolves with each process's results. Every process is ended.
 */
export async function hammerFromProcesses(jobs: readonly HammerJob[]): Promise<HammerResult[][]> {
  const hammers = jobs.map(spawnHammer);
  try {
    await within(Promise.all(hammers.map((h) => h.next())), READY_TIMEOUT_MS, 'store-hammer processes connecting');
    for (const h of hammers) h.child.stdin?.write('go\n');
    const done = await within(Promise.all(hammers.map((h) => h.next())), RUN_TIMEOUT_MS, 'store-hammer processes hitting the store');
    return done.map((line) => line['results'] as HammerResult[]);
  } finally {
    await Promise.all(
      hammers.map(async ({ child }) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.stdin?.end();
        const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }),
    );
  }
}

/**
 * Atomicity across gateway processes: separate Node processes, each with its own store on the
 * storage `open` gives (undefined: the test was skipped), hit one key together.
 */
export function crossProcessContract(open: (t: TestContext) => Promise<StorageConfig | undefined>, processes = 2): void {
  it(`sliding window: exactly \`limit\` hits are allowed in total when ${processes} processes hit one key together`, async (t) => {
    const storage = await open(t);
    if (storage === undefined) return;
    const key = `rate-limit-processes-${randomUUID()}`;
    const hits = 20 / processes;
    const results = await hammerFromProcesses(Array.from({ length: processes }, () => ({ storage, op: 'window' as const, key, hits, limit: 5, windowMs: 60_000 })));
    const allowed = results.map((r) => r.filter((x) => 'allowed' in x && x.allowed).length);
    t.diagnostic(`allowed per process: ${allowed.join(' + ')} of ${hits} hits each`);
    assert.equal(results.flat().length, 20);
    assert.equal(allowed.reduce((a, b) => a + b, 0), 5);
  });

  it(`quota: ${processes} processes incrementing one counter together get every count once, with no gaps`, async (t) => {
    const storage = await open(t);
    if (storage === undefined) return;
    const key = `quota-processes-${randomUUID()}`;
    const hits = 100;
    const results = await hammerFromProcesses(Array.from({ length: processes }, () => ({ storage, op: 'quota' as const, key, hits, renewalSeconds: 60 })));
    const counts = results.map((r) => r.map((x) => ('count' in x ? x.count : NaN)));
    const ranges = counts.map((c) => `${Math.min(...c)}..${Math.max(...c)}`);
    t.diagnostic(`count ranges per process: ${ranges.join(', ')} (overlapping ranges: the increments interleaved)`);
    assert.deepEqual(counts.flat().sort((a, b) => a - b), Array.from({ length: processes * hits }, (_, i) => i + 1));
  });
}
