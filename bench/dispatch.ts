/**
 * `npm run bench:dispatch`: what one Dispatch call costs the gateway's process, per transport
 * (grpc-js, the lean HTTP/2 client), measured as ../shared/perf-notes.md does: the plugin server
 * (the SDK benchmark plugin, as in `npm run bench` case 8) in a process of its own, this process
 * as the client with 50 calls in flight, CPU (user + sys) of each process per call. Rounds are
 * interleaved and each figure is the median over rounds: the machine is shared and noisy.
 * Prints a table and appends it to bench/RESULTS.md.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PluginClient, transportFactory, type TransportKind } from '../coprocess/dispatch/index.js';
import { decodeObject, DISPATCH_PATH, encodeObject } from '../coprocess/protocol/index.js';
import { PACKAGE_ROOT } from '../gateway/meta.js';
import { benchAuthObject } from './auth-object.js';

const IN_FLIGHT = 50;
const MEASURE_MS = Number(process.env['BENCH_MS'] ?? '4000');
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? '3');
const OPTIONS = { recvMaxBytes: 4 * 1024 * 1024, sendMaxBytes: 4 * 1024 * 1024, authority: '', roundRobin: false };
const children: ChildProcess[] = [];

const object = benchAuthObject();
const METADATA = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' };

/**
 * BENCH_BASELINE_PLUGIN: another build's dist/bench/sdk-plugin.js (say, of the commit before a
 * change to the SDK), served too, so its CPU per call is measured in the same rounds.
 */
const BASELINE_PLUGIN = process.env['BENCH_BASELINE_PLUGIN'] ?? '';

function startPlugin(address: string, script = join(PACKAGE_ROOT, 'dist/bench/sdk-plugin.js')): Promise<{ target: string; pid: number }> {
  const child = spawn(process.execPath, [script], {
    env: { ...process.env, BENCH_SERVE: '1', HOOKGATE_PLUGIN_ADDRESS: address },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const match = /hookgate plugin ready (\S+)/.exec(out);
      if (match?.[1] !== undefined) resolve({ target: match[1], pid: child.pid as number });
    });
    child.once('exit', (code) => reject(new Error(`plugin exited (${code}): ${out}`)));
  });
}

function cpuOf(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10_000; // clock ticks (1/100 s) to microseconds
}

interface Sample {
  readonly calls: number;
  readonly clientUs: number;
  readonly serverUs: number;
  readonly seconds: number;
}

/** Keeps IN_FLIGHT calls going for `ms`; measures this process's and the server's CPU. */
async function load(call: () => Promise<unknown>, serverPid: number, ms: number): Promise<Sample> {
  let calls = 0;
  const cpu = process.cpuUsage();
  const server = cpuOf(serverPid);
  const started = performance.now();
  const until = started + ms;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (performance.now() < until) {
        await call();
        calls++;
      }
    }),
  );
  const used = process.cpuUsage(cpu);
  return { calls, clientUs: used.user + used.system, serverUs: cpuOf(serverPid) - server, seconds: (performance.now() - started) / 1000 };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? NaN;

interface Case {
  readonly name: string;
  readonly kind: TransportKind;
  /** transport: bytes only; client: PluginClient (fast codec); reference: protobufjs encode + decode around unary(). */
  readonly layer: 'transport' | 'client' | 'reference';
  readonly socket: 'TCP' | 'unix' | 'baseline';
}

const LAYER_NAMES = {
  transport: 'unary() with encoded bytes',
  client: 'PluginClient.dispatch (encode + decode)',
  reference: 'unary() + the reference codec (protobufjs encodeObject/decodeObject)',
} as const;
const cases: Case[] = [];
for (const socket of ['TCP', 'unix'] as const) {
  for (const layer of ['transport', 'client'] as const) {
    for (const kind of ['grpc-js', 'h2'] as const) cases.push({ name: `${kind}, ${LAYER_NAMES[layer]}, ${socket}`, kind, layer, socket });
  }
  cases.push({ name: `h2, ${LAYER_NAMES.reference}, ${socket}`, kind: 'h2', layer: 'reference', socket });
}
if (BASELINE_PLUGIN !== '') cases.push({ name: `h2, ${LAYER_NAMES.client}, TCP, plugin server of BENCH_BASELINE_PLUGIN`, kind: 'h2', layer: 'client', socket: 'baseline' });

const rows: string[] = [];
try {
  const servers = {
    TCP: await startPlugin('127.0.0.1:0'),
    unix: await startPlugin(`unix://${join(tmpdir(), `hookgate-bench-dispatch-${process.pid}.sock`)}`),
    baseline: BASELINE_PLUGIN === '' ? { target: '', pid: 0 } : await startPlugin('127.0.0.1:0', BASELINE_PLUGIN),
  };
  const bytes = encodeObject(object);
  const calls = cases.map((c) => {
    const server = servers[c.socket];
    const transport = transportFactory(c.kind)(server.target, OPTIONS);
    const client = new PluginClient(server.target, transport, OPTIONS.sendMaxBytes);
    const call =
      c.layer === 'transport'
        ? () => transport.unary(DISPATCH_PATH, bytes, 2000, METADATA)
        : c.layer === 'reference'
          ? async () => decodeObject(await transport.unary(DISPATCH_PATH, encodeObject(object), 2000, METADATA))
          : () => client.dispatch(object, 2000, METADATA);
    return { call, pid: server.pid, close: () => transport.close() };
  });
  const replyBytes = (await calls[0]?.call()) as Buffer;
  for (const c of calls) await load(c.call, c.pid, 1000); // JIT, connections
  const samples = cases.map(() => [] as Sample[]);
  for (let round = 0; round < ROUNDS; round++) {
    for (const [i, c] of calls.entries()) samples[i]?.push(await load(c.call, c.pid, MEASURE_MS));
  }
  for (const c of calls) c.close();
  const perCall = (s: Sample[], pick: (x: Sample) => number) => median(s.map((x) => pick(x) / x.calls));
  for (const [i, c] of cases.entries()) {
    const s = samples[i] ?? [];
    rows.push(
      `| ${c.name} | ${median(s.map((x) => x.calls / x.seconds)).toFixed(0)} | ${perCall(s, (x) => x.clientUs).toFixed(1)} | ${perCall(s, (x) => x.serverUs).toFixed(1)} |`,
    );
  }
  const table = [
    `## ${new Date().toISOString()} Dispatch CPU per call (bench/dispatch.ts)`,
    '',
    `Command: \`${BASELINE_PLUGIN === '' ? '' : `BENCH_BASELINE_PLUGIN=${BASELINE_PLUGIN} `}npm run bench:dispatch\` (Node ${process.version}; ${availableParallelism()} cores shared by this client and the SDK plugin server process; ${IN_FLIGHT} calls in flight; ${ROUNDS} interleaved rounds of ${MEASURE_MS} ms per case, medians; auth_check Object of ${bytes.length} bytes with 10 headers and config_data, reply of ${replyBytes.length} bytes; CPU is user+sys of each process divided by the calls)`,
    '',
    '| transport and layer | calls/s | client CPU us/call | server CPU us/call |',
    '| --- | ---: | ---: | ---: |',
    ...rows,
    '',
  ].join('\n');
  process.stdout.write(`${table}\n`);
  appendFileSync(join(PACKAGE_ROOT, 'bench', 'RESULTS.md'), `\n${table}`);
} finally {
  for (const child of children) child.kill('SIGKILL');
}
