/**
 * `npm run bench:plugin-path`: bench case 8b (a gRPC auth_check plugin built on the SDK, called on
 * every request, over the h2 transport) on this build and, in the same interleaved rounds, on the
 * build in BENCH_BASELINE_DIST (another checkout's dist/, say the commit before a change), each
 * with its own gateway and its own SDK plugin server, beside the direct and bare-proxy baselines.
 * The machine is shared and noisy: a before/after measured in separate runs says little.
 * Prints the table and appends it to bench/RESULTS.md.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PACKAGE_ROOT } from '../gateway/meta.js';
import { DURATION_S, measureAll, ROUNDS, table, type Case } from './measure.js';
import { KEY } from './sdk-plugin.js';

const BASELINE = process.env['BENCH_BASELINE_DIST'] ?? '';
const children: ChildProcess[] = [];
const logDir = mkdtempSync(join(tmpdir(), 'hookgate-bench-path-'));

async function start(args: string[], ready: RegExp, env: NodeJS.ProcessEnv = {}): Promise<{ port: number; pid: number }> {
  const logFile = join(logDir, `${children.length}.log`);
  const fd = openSync(logFile, 'w');
  const child = spawn(process.execPath, args, { cwd: PACKAGE_ROOT, env: { ...process.env, ...env }, stdio: ['ignore', fd, 'inherit'] });
  closeSync(fd);
  children.push(child);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const match = ready.exec(readFileSync(logFile, 'utf8'));
    if (match?.[1] !== undefined) return { port: Number(match[1]), pid: child.pid as number };
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`not ready: ${args.join(' ')}`);
    await sleep(50);
  }
}

/** The SDK benchmark plugin and a gateway calling it on every request (h2), both from `dist`. */
async function pluginStack(dist: string, upstream: string): Promise<{ port: number; pid: number }> {
  const plugin = await start([join(dist, 'bench/sdk-plugin.js')], /hookgate plugin ready \S+:(\d+)/, { BENCH_SERVE: '1', HOOKGATE_PLUGIN_ADDRESS: '127.0.0.1:0' });
  const dir = mkdtempSync(join(tmpdir(), 'hookgate-bench-path-'));
  mkdirSync(join(dir, 'apps'));
  const coprocess = { enable_coprocess: true, coprocess_grpc_server: `127.0.0.1:${plugin.port}`, transport: 'h2' };
  writeFileSync(join(dir, 'tyk.conf'), JSON.stringify({ listen_address: '127.0.0.1', listen_port: 0, app_path: 'apps', log_format: 'json', secret: 'bench', coprocess_options: coprocess }));
  const api = { api_id: 'bench', org_id: 'bench', use_keyless: false, enable_coprocess_auth: true, custom_middleware: { driver: 'grpc', auth_check: { name: 'Trivial' } } };
  writeFileSync(join(dir, 'apps', 'bench.json'), JSON.stringify({ ...api, proxy: { listen_path: '/bench/', target_url: upstream, strip_listen_path: true } }));
  return start([join(dist, 'gateway/cli/main.js'), 'start', '--conf', join(dir, 'tyk.conf')], /"port":(\d+)/);
}

try {
  const dist = join(PACKAGE_ROOT, 'dist');
  const server = (kind: string, target = '') => start([join(dist, 'bench/servers.js'), kind, '0', target], /ready (\d+)/);
  const upstream = await server('upstream');
  const upstreamUrl = `http://127.0.0.1:${upstream.port}`;
  const bare = await server('bare-proxy', upstreamUrl);
  const auth = [`Authorization: ${KEY}`];
  const mine = await pluginStack(dist, upstreamUrl);
  const cases: Case[] = [
    { name: '1. direct to the upstream', url: `${upstreamUrl}/x`, pid: undefined },
    { name: '2. bare node:http proxy (keep-alive agent)', url: `http://127.0.0.1:${bare.port}/x`, pid: bare.pid },
    { name: '8b. gRPC auth_check plugin (SDK) on every request, h2: this build', url: `http://127.0.0.1:${mine.port}/bench/x`, pid: mine.pid, headers: auth },
  ];
  if (BASELINE !== '') {
    const base = await pluginStack(BASELINE, upstreamUrl);
    cases.push({ name: `8b. the same, gateway and plugin of ${BASELINE}`, url: `http://127.0.0.1:${base.port}/bench/x`, pid: base.pid, headers: auth });
  }
  const rows = measureAll(cases);
  const text = [
    `## ${new Date().toISOString()} The plugin path, this build${BASELINE === '' ? '' : ' and a baseline build'} (bench/plugin-path.ts)`,
    '',
    `Command: \`${BASELINE === '' ? '' : `BENCH_BASELINE_DIST=${BASELINE} `}npm run bench:plugin-path\` (wrk; ${ROUNDS} interleaved rounds of ${DURATION_S} s per case at 50 connections, then 1 connection; medians; Node ${process.version}; wrk, upstream, gateways and plugins share the machine's cores; CPU us/req is the gateway's alone)`,
    '',
    table(rows),
    '',
  ].join('\n');
  process.stdout.write(`${text}\n`);
  appendFileSync(join(PACKAGE_ROOT, 'bench', 'RESULTS.md'), `\n${text}`);
} finally {
  for (const child of children) child.kill('SIGKILL');
}
