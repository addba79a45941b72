/**
 * `npm run bench:sdk`: what a hook call costs through the SDK, and when `threads` pays off.
 * 1. Latency of one call at a time (the example's trivial auth hook): in process (encode, run,
 *    encode, decode: no network) and over gRPC to a plugin process, on TCP and a unix socket.
 * 2. Throughput with 32 calls in flight to a plugin process with 0, 1, 2, ... worker threads, for
 *    the trivial hook and for a CPU-heavy one (PBKDF2, ~10 ms). The client runs in this process
 *    and shares the machine's cores, as a gateway next to its sidecar would.
 * Prints a table and appends it to bench/RESULTS.md.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { PACKAGE_ROOT } from '../gateway/meta.js';
import { connect, hookRequest, inProcess, type PluginClient } from '../sdk/testing/index.js';
import { KEY, PBKDF2_ITERATIONS, plugin } from './sdk-plugin.js';

const children: ChildProcess[] = [];
const LATENCY_CALLS = Number(process.env['BENCH_CALLS'] ?? '3000');
const IN_FLIGHT = 32;
const THROUGHPUT_MS = Number(process.env['BENCH_MS'] ?? '4000');

function startPlugin(address: string, threads: number): Promise<string> {
  const child = spawn(process.execPath, [join(PACKAGE_ROOT, 'dist/bench/sdk-plugin.js')], {
    env: { ...process.env, BENCH_SERVE: '1', THREADS: String(threads), HOOKGATE_PLUGIN_ADDRESS: address },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const match = /hookgate plugin ready (\S+)/.exec(out);
      if (match?.[1] !== undefined) resolve(match[1]);
    });
    child.once('exit', (code) => reject(new Error(`plugin exited (${code}): ${out}`)));
  });
}

async function stop(child: ChildProcess | undefined): Promise<void> {
  if (child === undefined || child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

const objectFor = (hook: string) => hookRequest().get('/bench/x').header('Authorization', KEY).header('User-Agent', 'bench').build(hook, 'auth_check');

async function latency(client: PluginClient): Promise<{ p50: number; p99: number; mean: number }> {
  const object = objectFor('Trivial');
  for (let i = 0; i < 300; i++) await client.dispatch(object);
  const samples: number[] = [];
  for (let i = 0; i < LATENCY_CALLS; i++) {
    const started = process.hrtime.bigint();
    await client.dispatch(object);
    samples.push(Number(process.hrtime.bigint() - started) / 1000);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? NaN;
  return { p50: at(0.5), p99: at(0.99), mean: samples.reduce((a, b) => a + b, 0) / samples.length };
}

async function throughput(client: PluginClient, hook: string): Promise<number> {
  const object = objectFor(hook);
  await Promise.all(Array.from({ length: IN_FLIGHT }, () => client.dispatch(object)));
  let done = 0;
  const until = performance.now() + THROUGHPUT_MS;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (performance.now() < until) {
        await client.dispatch(object);
        done++;
      }
    }),
  );
  return (done * 1000) / (performance.now() - started);
}

const rows: string[] = [];
try {
  const local = await latency(inProcess(plugin));
  rows.push(`| latency, 1 call at a time, in process (no network) | ${local.p50.toFixed(0)} | ${local.p99.toFixed(0)} | ${local.mean.toFixed(0)} |`);
  for (const [label, address] of [['TCP', '127.0.0.1:0'], ['unix socket', `unix://${join(tmpdir(), `hookgate-bench-${process.pid}.sock`)}`]] as const) {
    const target = await startPlugin(address, 0);
    const client = connect(target, { plugin });
    const wire = await latency(client);
    rows.push(`| latency, 1 call at a time, over gRPC (${label}) | ${wire.p50.toFixed(0)} | ${wire.p99.toFixed(0)} | ${wire.mean.toFixed(0)} |`);
    await client.close();
    await stop(children.pop());
  }
  rows.push('', `| ${IN_FLIGHT} calls in flight, over gRPC (TCP) | threads | calls/s | vs no threads |`, '| --- | ---: | ---: | ---: |');
  const counts = [...new Set([0, 1, 2, availableParallelism()])];
  for (const hook of ['Trivial', 'Pbkdf2']) {
    let base = 0;
    for (const threads of counts) {
      const target = await startPlugin('127.0.0.1:0', threads);
      const client = connect(target, { plugin });
      const rate = await throughput(client, hook);
      if (threads === 0) base = rate;
      rows.push(`| ${hook === 'Trivial' ? 'trivial auth hook' : `PBKDF2 auth hook (${PBKDF2_ITERATIONS} iterations)`} | ${threads} | ${rate.toFixed(0)} | ${(rate / base).toFixed(2)} |`);
      await client.close();
      await stop(children.pop());
    }
  }
} finally {
  for (const child of children) child.kill('SIGKILL');
}

const table = [
  `## ${new Date().toISOString()} SDK (bench/sdk.ts)`,
  '',
  `Command: \`npm run bench:sdk\` (Node ${process.version}; ${availableParallelism()} cores shared by the client and the plugin process; ${LATENCY_CALLS} sequential calls; ${THROUGHPUT_MS} ms per throughput case)`,
  '',
  '| case | p50 us | p99 us | mean us |',
  '| --- | ---: | ---: | ---: |',
  ...rows,
  '',
].join('\n');
process.stdout.write(`${table}\n`);
appendFileSync(join(PACKAGE_ROOT, 'bench', 'RESULTS.md'), `\n${table}`);
