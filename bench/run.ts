/**
 * `npm run bench`: starts every process itself on loopback, loads each case with wrk for a
 * bounded time, stops everything by PID, prints a table and appends it to bench/RESULTS.md.
 * Figures are ratios against baselines measured in the same run: the machine is shared and noisy.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, closeSync, mkdtempSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PACKAGE_ROOT } from '../gateway/meta.js';
import { CONNECTIONS, DURATION_S, measureAll, ROUNDS, selected, table } from './measure.js';

const children: ChildProcess[] = [];

interface Started {
  readonly port: number;
  readonly pid: number;
}

const logDir = mkdtempSync(join(tmpdir(), 'hookgate-bench-logs-'));

/** Starts a process whose standard output goes to a file (as logs would in production). */
async function startProcess(args: string[], readyPattern: RegExp): Promise<Started> {
  const logFile = join(logDir, `${children.length}.log`);
  const fd = openSync(logFile, 'w');
  const child = spawn(process.execPath, args, { cwd: PACKAGE_ROOT, stdio: ['ignore', fd, 'inherit'] });
  closeSync(fd);
  children.push(child);
  const deadline = Date.now() + 15_000;
  for (;;) {
    const out = readFileSync(logFile, 'utf8');
    const match = readyPattern.exec(out);
    if (match?.[1] !== undefined) return { port: Number(match[1]), pid: child.pid as number };
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`not ready: ${args.join(' ')}: ${out}`);
    await sleep(50);
  }
}

const server = (kind: string, target = '') => startProcess([join(PACKAGE_ROOT, 'dist/bench/servers.js'), kind, '0', target], /ready (\d+)/);

const SECRET = 'bench-secret';
const KEY = '47a0c79c427728b3df4af62b9228c8ae';

/** A gateway process with the given API definition fields (merged over a keyless /bench/ API). */
function startHookgate(upstream: string, extraConfig: Record<string, unknown> = {}, api: Record<string, unknown> = {}): Promise<Started> {
  const dir = mkdtempSync(join(tmpdir(), 'hookgate-bench-'));
  mkdirSync(join(dir, 'apps'));
  writeFileSync(join(dir, 'tyk.conf'), JSON.stringify({ listen_address: '127.0.0.1', listen_port: 0, app_path: 'apps', log_format: 'json', secret: SECRET, ...extraConfig }));
  writeFileSync(
    join(dir, 'apps', 'bench.json'),
    JSON.stringify({ api_id: 'bench', org_id: 'bench', use_keyless: true, proxy: { listen_path: '/bench/', target_url: upstream, strip_listen_path: true }, ...api }),
  );
  // Keep the access log on: it is the default, and part of what a request costs.
  return startProcess([join(PACKAGE_ROOT, 'dist/gateway/cli/main.js'), 'start', '--conf', join(dir, 'tyk.conf')], /"port":(\d+)/);
}

/** Creates the benchmark key (a rate far above what the machine can send, so nothing is refused). */
async function createKey(port: number): Promise<void> {
  const body = JSON.stringify({ org_id: 'bench', rate: 1e9, per: 1, access_rights: { bench: { api_id: 'bench', api_name: 'bench', versions: ['Default'] } } });
  const res = await fetch(`http://127.0.0.1:${port}/tyk/keys/${KEY}`, { method: 'POST', headers: { 'x-tyk-authorization': SECRET }, body });
  if (res.status !== 200) throw new Error(`creating the bench key failed: ${res.status} ${await res.text()}`);
}

/**
 * The Python tutorial's bundle (examples/python-auth) with one change: the session's rate raised
 * from 1000 to 1e9 per second, since the machine sends more than 1000 requests a second and
 * refused requests would be measured instead. Everything else (the three tyk.log lines included)
 * is the tutorial's plugin.
 */
function pythonTutorialBundle(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hookgate-bench-python-'));
  const source = readFileSync(join(PACKAGE_ROOT, 'examples', 'python-auth', 'middleware.py'), 'utf8');
  const raised = source.replace('session.rate = 1000.0', 'session.rate = 1000000000.0');
  if (raised === source) throw new Error('examples/python-auth/middleware.py no longer sets session.rate = 1000.0');
  writeFileSync(join(dir, 'middleware.py'), raised);
  writeFileSync(join(dir, 'manifest.json'), readFileSync(join(PACKAGE_ROOT, 'examples', 'python-auth', 'manifest.json')));
  return dir;
}

/** The SDK benchmark plugin (bench/sdk-plugin.ts) in a process of its own. */
function startPlugin(): Promise<Started> {
  const child = spawn(process.execPath, [join(PACKAGE_ROOT, 'dist/bench/sdk-plugin.js')], { cwd: PACKAGE_ROOT, env: { ...process.env, BENCH_SERVE: '1' }, stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      const match = /hookgate plugin ready 127\.0\.0\.1:(\d+)/.exec(out);
      if (match?.[1] !== undefined) {
        child.stdout?.resume();
        resolve({ port: Number(match[1]), pid: child.pid as number });
      }
    });
    child.once('exit', (code) => reject(new Error(`the bench plugin exited with ${code}: ${out}`)));
  });
}

function startRedisServer(): Promise<{ port: number; pid: number } | undefined> {
  return new Promise((resolve) => {
    const port = 16000 + Math.floor(Math.random() * 20000);
    const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'ignore'] });
    child.once('error', () => resolve(undefined));
    children.push(child);
    let out = '';
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (out.includes('Ready to accept connections')) {
        child.stdout?.resume();
        resolve({ port, pid: child.pid as number });
      }
    });
  });
}

/** The BENCH_* variables this run was given, as they would be typed before the command. */
const benchEnv = (): string =>
  ['BENCH_CASES', 'BENCH_ROUNDS', 'BENCH_DURATION']
    .filter((name) => (process.env[name] ?? '') !== '')
    .map((name) => `${name}=${process.env[name] ?? ''} `)
    .join('');

async function main(): Promise<void> {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      process.stderr.write('bench: wrk is not installed (apt-get install wrk); nothing measured\n');
      process.exitCode = 1;
      return;
    }
  }
  const upstream = await server('upstream');
  const upstreamUrl = `http://127.0.0.1:${upstream.port}`;
  const bare = await server('bare-proxy', upstreamUrl);
  const hookgate = await startHookgate(upstreamUrl);
  const quiet = await startHookgate(upstreamUrl, { access_logs: { enabled: false } });
  const tokenApi = { use_keyless: false };
  const tokenMemory = await startHookgate(upstreamUrl, {}, tokenApi);
  await createKey(tokenMemory.port);
  const redis = await startRedisServer();
  const tokenRedis = redis === undefined ? undefined : await startHookgate(upstreamUrl, { storage: { type: 'redis', host: '127.0.0.1', port: redis.port } }, tokenApi);
  if (tokenRedis !== undefined) await createKey(tokenRedis.port);
  else process.stderr.write('bench: redis-server is not installed; the Redis case is skipped\n');
  const plugin = await startPlugin();
  // grpc-js named here: h2 is the default transport, and cases 8 and 11 measure the reference.
  const coprocess = { coprocess_options: { enable_coprocess: true, coprocess_grpc_server: `127.0.0.1:${plugin.port}`, transport: 'grpc-js' } };
  const authApi = { use_keyless: false, enable_coprocess_auth: true, custom_middleware: { driver: 'grpc', auth_check: { name: 'Trivial' } } };
  const pluginAuth = await startHookgate(upstreamUrl, coprocess, authApi);
  // The same gateway and plugin with the lean transport (docs/transport.md), measured in the same rounds.
  const coprocessH2 = { coprocess_options: { ...coprocess.coprocess_options, transport: 'h2' } };
  const pluginAuthH2 = await startHookgate(upstreamUrl, coprocessH2, authApi);
  // One Python worker per core, as the gateway's default (python_workers 0).
  const python = await startHookgate(upstreamUrl, { coprocess_options: { enable_coprocess: true } }, {
    use_keyless: false,
    enable_coprocess_auth: true,
    config_data: { bench: true },
    hookgate: { bundle_path: pythonTutorialBundle() },
  });
  const chainApi = { custom_middleware: { driver: 'grpc', pre: [{ name: 'BenchPre' }], post: [{ name: 'BenchPost' }], response: [{ name: 'BenchResponse' }] } };
  const chain = await startHookgate(upstreamUrl, coprocess, chainApi);
  const chainH2 = await startHookgate(upstreamUrl, coprocessH2, chainApi);
  await sleep(300);
  const auth = [`Authorization: ${KEY}`];

  const rows = measureAll(selected([
    { name: '1. direct to the upstream', url: `${upstreamUrl}/x`, pid: undefined },
    { name: '2. bare node:http proxy (keep-alive agent)', url: `http://127.0.0.1:${bare.port}/x`, pid: bare.pid },
    { name: '5. Hookgate keyless', url: `http://127.0.0.1:${hookgate.port}/bench/x`, pid: hookgate.pid },
    { name: '5b. Hookgate keyless, access log off', url: `http://127.0.0.1:${quiet.port}/bench/x`, pid: quiet.pid },
    { name: '6. Hookgate auth token + rate limit, in memory', url: `http://127.0.0.1:${tokenMemory.port}/bench/x`, pid: tokenMemory.pid, headers: auth },
    ...(tokenRedis === undefined ? [] : [{ name: '7. Hookgate auth token + rate limit, Redis', url: `http://127.0.0.1:${tokenRedis.port}/bench/x`, pid: tokenRedis.pid, headers: auth }]),
    { name: '8. Hookgate gRPC auth_check plugin (SDK) on every request', url: `http://127.0.0.1:${pluginAuth.port}/bench/x`, pid: pluginAuth.pid, headers: auth },
    { name: '8b. the same, coprocess_options.transport h2', url: `http://127.0.0.1:${pluginAuthH2.port}/bench/x`, pid: pluginAuthH2.pid, headers: auth },
    { name: "10. Hookgate with the Python bridge's tutorial plugin", url: `http://127.0.0.1:${python.port}/bench/x`, pid: python.pid, headers: auth },
    { name: '11. Hookgate pre + post + response hook chain (SDK)', url: `http://127.0.0.1:${chain.port}/bench/x`, pid: chain.pid },
    { name: '11b. the same, coprocess_options.transport h2', url: `http://127.0.0.1:${chainH2.port}/bench/x`, pid: chainH2.pid },
  ]));
  const commit = (() => {
    try {
      return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: PACKAGE_ROOT, encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  })();
  const text = table(rows);
  process.stdout.write(`${text}\n`);
  const header = `\n## ${new Date().toISOString()} commit ${commit}\n\nCommand: \`${benchEnv()}npm run bench\` (wrk; ${ROUNDS} interleaved rounds of ${DURATION_S} s per case at ${CONNECTIONS} connections, then 1 connection; medians; Node ${process.version}; wrk, upstream, gateway, plugin and Redis share the machine's 2 cores; the gateway writes its access log to a file; CPU us/req is the gateway's alone)\n\n`;
  appendFileSync(join(PACKAGE_ROOT, 'bench', 'RESULTS.md'), `${header}${text}\n`);
}

main()
  .catch((err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(() => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
  });
