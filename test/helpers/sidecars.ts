import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { setTimeout as sleep } from 'node:timers/promises';
import { credentials, loadPackageDefinition } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { PROTO_ENTRY, PROTO_LOADER_OPTIONS, type CoprocessObject__Output, type ProtoGrpcType } from '../../coprocess/protocol/index.js';
import type { SidecarSpec } from '../../coprocess/sidecars/index.js';
import { createRootLogger, type Logger } from '../../gateway/logging/index.js';
import { PACKAGE_ROOT } from '../../gateway/meta.js';
import type { GatewayProcess } from './gateway-process.js';

export const SIDECAR_PLUGIN = join(PACKAGE_ROOT, 'dist', 'test', 'fixtures', 'sidecar-plugin.js');
export const SIDECAR_PARENT = join(PACKAGE_ROOT, 'dist', 'test', 'fixtures', 'sidecar-parent.js');

/** A spec running test/fixtures/sidecar-plugin with `flags`, with short test timings. */
export function pluginSpec(name: string, address: string, flags: string[] = [], overrides: Partial<SidecarSpec> = {}): SidecarSpec {
  return {
    name,
    command: process.execPath,
    args: [SIDECAR_PLUGIN, '--address', address, ...flags],
    env: {},
    cwd: PACKAGE_ROOT,
    address,
    readyTimeoutMs: 10_000,
    stopGraceMs: 2000,
    restartBackoffInitialMs: 100,
    restartBackoffMaxMs: 1000,
    ...overrides,
  };
}

export interface LogLine {
  readonly level: number;
  readonly msg: string;
  readonly [key: string]: unknown;
}

/** A pino logger writing to memory, as the gateway's root logger does. */
export function captureLogs(): { logger: Logger; lines: LogLine[]; waitFor(predicate: (l: LogLine) => boolean, timeoutMs?: number): Promise<LogLine> } {
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const text of chunk.toString('utf8').split('\n')) if (text !== '') lines.push(JSON.parse(text) as LogLine);
      callback();
    },
  });
  const { logger } = createRootLogger({ level: 'debug', format: 'json', destination: stream });
  const waitFor = (predicate: (l: LogLine) => boolean, timeoutMs = 10_000) =>
    waitUntil(() => lines.find(predicate), timeoutMs, () => `no matching log line; logs:\n${lines.map((l) => JSON.stringify(l)).join('\n')}`);
  return { logger, lines, waitFor };
}

/** Polls `probe` until it returns something other than undefined/false; fails after `timeoutMs`. */
export async function waitUntil<T>(probe: () => T | undefined | false, timeoutMs: number, what: string | (() => string)): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms: ${typeof what === 'string' ? what : what()}`);
    await sleep(20);
  }
}

/** True while the process exists and is not a zombie (PID 1 here may not reap orphans). */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

const proto = loadPackageDefinition(loadSync(PROTO_ENTRY, PROTO_LOADER_OPTIONS)) as unknown as ProtoGrpcType;

/** One Dispatch call on a fresh client; resolves with the reply. */
export function dispatch(address: string, hookName: string, timeoutMs = 3000): Promise<CoprocessObject__Output> {
  const client = new proto.coprocess.Dispatcher(address, credentials.createInsecure(), { 'grpc.use_local_subchannel_pool': 1 });
  return new Promise<CoprocessObject__Output>((resolve, reject) => {
    client.Dispatch(
      { hook_type: 'CustomKeyCheck', hook_name: hookName, metadata: { token: 'abc' } },
      { deadline: Date.now() + timeoutMs },
      (err, reply) => (err !== null || reply === undefined ? reject(err ?? new Error('no reply')) : resolve(reply)),
    );
  }).finally(() => client.close());
}

/** `promise`, or a rejection naming `what` once `timeoutMs` has passed. */
export async function within<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not settle within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
  }
}

/** The sidecar's pids (of sidecar `name`, else of any), from the line it prints at start (forwarded into the gateway's log). */
export function sidecarPids(gw: GatewayProcess, name?: string): number[] {
  return gw.logs
    .filter((l) => l['component'] === 'sidecar' && (name === undefined || l['sidecar'] === name) && typeof l.msg === 'string' && l.msg.startsWith('sidecar-plugin pid '))
    .map((l) => Number(l.msg.slice('sidecar-plugin pid '.length)));
}
