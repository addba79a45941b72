/**
 * `npm run bench`: starts every process itself on loopback, loads each case with wrk for a
 * bounded time, stops everything by PID, prints a table and appends it to bench/RESULTS.md.
 * Figures are ratios against baselines measured in the same run: the machine is shared and noisy.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, closeSync, mkdtempSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PACKAGE_ROOT } from '../gateway/meta.js';
import { CONNECTIONS, derivedFigures, DURATION_S, measureAll, ROUNDS, selected, SINGLE_DURATION_S, table, type Case } from './measure.js';
import { findNginx, startNginx } from './nginx.js';
import { BODY_SIZE_MIB, bodyRssRise } from './body.js';

const children: ChildProcess[] = [];
/** Grandchildren stopped by PID at the end too: the workers of a --workers primary. */
const workerPids: number[] = [];

interface Started {
  readonly port: number;
  readonly pid: number;
  /** Every process of the case (a --workers primary and its workers), for CPU and RSS. */
  readonly pids?: readonly number[];
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
    if (match?.[1] !== undefined) {
      const workers = [...out.matchAll(/"worker_pid":(\d+)/g)].map((m) => Number(m[1]));
      workerPids.push(...workers);
      return { port: Number(match[1]), pid: child.pid as number, pids: [child.pid as number, ...workers] };
    }
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`not ready: ${args.join(' ')}: ${out}`);
    await sleep(50);
  }
}

const server = (kind: string, target = '') => startProcess([join(PACKAGE_ROOT, 'dist/bench/servers.js'), kind, '0', target], /ready (\d+)/);

const SECRET = 'bench-secret';
const KEY = '47a0c79c427728b3df4af62b9228c8ae';

/** A gateway process with the given API definition fields (merged over a keyless /bench/ API). */
function startHookgate(upstream: string, extraConfig: Record<string, unknown> = {}, api: Record<string, unknown> = {}, workers?: number): Promise<Started> {
  const dir = mkdtempSync(join(tmpdir(), 'hookgate-bench-'));
  mkdirSync(join(dir, 'apps'));
  writeFileSync(join(dir, 'tyk.conf'), JSON.stringify({ listen_address: '127.0.0.1', listen_port: 0, app_path: 'apps', log_format: 'json', secret: SECRET, ...extraConfig }));
  writeFileSync(
    join(dir, 'apps', 'bench.json'),
    JSON.stringify({ api_id: 'bench', org_id: 'bench', use_keyless: true, proxy: { listen_path: '/bench/', target_url: upstream, strip_listen_path: true }, ...api }),
  );
  // Keep the access log on: it is the default, and part of what a request costs.
  const args = [join(PACKAGE_ROOT, 'dist/gateway/cli/main.js'), 'start', '--conf', join(dir, 'tyk.conf')];
  // With several workers, ready means the primary's line once every worker listens.
  if (workers !== undefined && workers > 1) return startProcess([...args, '--workers', String(workers)], /"port":(\d+)[^\n]*"msg":"workers listening"/);
  return startProcess(workers === undefined ? args : [...args, '--workers', String(workers)], /"port":(\d+)/);
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

/** The SDK benchmark plugin (bench/sdk-plugin.ts) in a process of its own, on a free port (not the SDK's default 5555, which another run may hold). */
function startPlugin(): Promise<Started> {
  const child = spawn(process.execPath, [join(PACKAGE_ROOT, 'dist/bench/sdk-plugin.js')], { cwd: PACKAGE_ROOT, env: { ...process.env, BENCH_SERVE: '1', HOOKGATE_PLUGIN_ADDRESS: '127.0.0.1:0' }, stdio: ['ignore', 'pipe', 'inherit'] });
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

const startedAt = Date.now();
const loadBefore = loadavg().map((l) => l.toFixed(2)).join(' ');

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
  const fastGateway = await startProcess([join(PACKAGE_ROOT, 'dist/bench/fast-gateway.js'), upstreamUrl], /ready (\d+)/);
  const nginxBinary = findNginx();
  const nginx = nginxBinary === undefined ? undefined : await startNginx(nginxBinary, upstream.port);
  if (nginx !== undefined) children.push(nginx.child);
  else process.stderr.write('bench: nginx is not installed; case 4 (nginx as a reverse proxy) is skipped\n');
  const hookgate = await startHookgate(upstreamUrl);
  // A keyless gateway that serves nothing but the large body, after the load cases.
  const bodyGateway = await startHookgate(upstreamUrl);
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
  // Case 9: the same plugin on the default transport (h2) behind the ID extractor's cache (the credential from Authorization).
  const cachedApi = { ...authApi, custom_middleware: { driver: 'grpc', auth_check: { name: 'TrivialCached' }, id_extractor: { extract_from: 'header', extract_with: 'value', extractor_config: { header_name: 'Authorization' } } } };
  const pluginCached = await startHookgate(upstreamUrl, coprocessH2, cachedApi);
  // --workers 1 and 2 on the same Redis (more than one worker needs shared storage), access log off as 5b.
  const onRedis = redis === undefined ? undefined : { storage: { type: 'redis', host: '127.0.0.1', port: redis.port }, access_logs: { enabled: false } };
  const oneWorker = onRedis === undefined ? undefined : await startHookgate(upstreamUrl, onRedis, {}, 1);
  const twoWorkers = onRedis === undefined ? undefined : await startHookgate(upstreamUrl, onRedis, {}, 2);
  if (onRedis === undefined) process.stderr.write('bench: redis-server is not installed; the --workers cases (12, 12b) are skipped\n');
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

  const cases: Case[] = [
    { name: '1. direct to the upstream', url: `${upstreamUrl}/x`, pid: undefined },
    { name: '2. bare node:http proxy (keep-alive agent)', url: `http://127.0.0.1:${bare.port}/x`, pid: bare.pid },
    { name: '3. fast-gateway 3.4 (npm)', url: `http://127.0.0.1:${fastGateway.port}/bench/x`, pid: fastGateway.pid },
    ...(nginx === undefined ? [] : [{ name: '4. nginx reverse proxy (1 worker process, keep-alive upstream)', url: `http://127.0.0.1:${nginx.port}/bench/x`, pid: nginx.child.pid }]),
    { name: '5. Hookgate keyless', url: `http://127.0.0.1:${hookgate.port}/bench/x`, pid: hookgate.pid },
    { name: '5b. Hookgate keyless, access log off', url: `http://127.0.0.1:${quiet.port}/bench/x`, pid: quiet.pid },
    { name: '6. Hookgate auth token + rate limit, in memory', url: `http://127.0.0.1:${tokenMemory.port}/bench/x`, pid: tokenMemory.pid, headers: auth },
    ...(tokenRedis === undefined ? [] : [{ name: '7. Hookgate auth token + rate limit, Redis', url: `http://127.0.0.1:${tokenRedis.port}/bench/x`, pid: tokenRedis.pid, headers: auth }]),
    { name: '8. Hookgate gRPC auth_check plugin (SDK) on every request', url: `http://127.0.0.1:${pluginAuth.port}/bench/x`, pid: pluginAuth.pid, headers: auth },
    { name: '8b. the same, coprocess_options.transport h2', url: `http://127.0.0.1:${pluginAuthH2.port}/bench/x`, pid: pluginAuthH2.pid, headers: auth },
    { name: '9. the same plugin on h2 (case 8b) behind the ID extractor cache', url: `http://127.0.0.1:${pluginCached.port}/bench/x`, pid: pluginCached.pid, headers: auth },
    { name: "10. Hookgate with the Python bridge's tutorial plugin", url: `http://127.0.0.1:${python.port}/bench/x`, pid: python.pid, headers: auth },
    { name: '11. Hookgate pre + post + response hook chain (SDK)', url: `http://127.0.0.1:${chain.port}/bench/x`, pid: chain.pid },
    { name: '11b. the same, coprocess_options.transport h2', url: `http://127.0.0.1:${chainH2.port}/bench/x`, pid: chainH2.pid },
  ];
  if (oneWorker !== undefined && twoWorkers !== undefined) {
    cases.push(
      { name: '12. Hookgate keyless, --workers 1 (Redis storage, access log off)', url: `http://127.0.0.1:${oneWorker.port}/bench/x`, pid: oneWorker.pid },
      { name: '12b. the same, --workers 2 (RSS and CPU: primary + workers)', url: `http://127.0.0.1:${twoWorkers.port}/bench/x`, pid: twoWorkers.pid, pids: twoWorkers.pids },
    );
  }
  const rows = measureAll(selected(cases));
  const commit = (() => {
    try {
      return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: PACKAGE_ROOT, encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  })();
  const body = await bodyRssRise(`http://127.0.0.1:${bodyGateway.port}/bench/upload`, bodyGateway.pid);
  const bodyLine = `- a ${BODY_SIZE_MIB} MiB request body through Hookgate keyless (status ${body.status}): RSS ${Math.round(body.idleMiB)} MiB idle, ${Math.round(body.peakMiB)} MiB at most while it streamed, a rise of ${Math.round(body.peakMiB - body.idleMiB)} MiB (target < 32 MB = 30.5 MiB)`;
  const text = `${table(rows)}\n\n${[derivedFigures(rows), bodyLine].filter((part) => part !== '').join('\n')}`;
  process.stdout.write(`${text}\n`);
  const header = `\n## ${new Date().toISOString()} commit ${commit}\n\nCommand: \`${benchEnv()}npm run bench\` (wrk; ${ROUNDS} interleaved rounds of ${DURATION_S} s per case at ${CONNECTIONS} connections, then ${SINGLE_DURATION_S} s at 1 connection; medians; the whole run took ${Math.round((Date.now() - startedAt) / 1000)} s; Node ${process.version}; load average before the run ${loadBefore}, after ${loadavg().map((l) => l.toFixed(2)).join(' ')}; wrk, upstream, gateway, plugin and Redis share the machine's 2 cores; the gateway writes its access log to a file; CPU us/req is the gateway's alone)\n\n`;
  appendFileSync(join(PACKAGE_ROOT, 'bench', 'RESULTS.md'), `${header}${text}\n`);
}

main()
  .catch((err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    process.exitCode = 1;
  })
  .finally(() => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    for (const pid of workerPids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // Already gone: workers exit by themselves once their primary has.
      }
    }
  });
