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

const DURATION_S = Number(process.env['BENCH_DURATION'] ?? '5');
/** Cases run interleaved in rounds and each figure is the median over rounds: noise on a shared machine drifts over time, and interleaving spreads it across cases. */
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? '3');
const CONNECTIONS = 50;
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

interface Load {
  readonly rps: number;
  readonly p50ms: number;
  readonly p99ms: number;
}

function toMs(value: string): number {
  const m = /^([\d.]+)(us|ms|s)$/.exec(value.trim());
  if (m === null) return NaN;
  const n = Number(m[1]);
  return m[2] === 'us' ? n / 1000 : m[2] === 's' ? n * 1000 : n;
}

function wrk(url: string, connections: number, seconds: number, headers: readonly string[] = []): Load {
  const headerArgs = headers.flatMap((h) => ['-H', h]);
  const out = execFileSync('wrk', ['-t', connections > 1 ? '2' : '1', '-c', String(connections), '-d', `${seconds}s`, '--latency', ...headerArgs, url], {
    encoding: 'utf8',
    timeout: (seconds + 30) * 1000,
  });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN);
  const p50 = toMs(/^\s+50%\s+(\S+)/m.exec(out)?.[1] ?? '');
  const p99 = toMs(/^\s+99%\s+(\S+)/m.exec(out)?.[1] ?? '');
  if (/Non-2xx or 3xx responses/.test(out)) throw new Error(`errors under load at ${url}:\n${out}`);
  return { rps, p50ms: p50, p99ms: p99 };
}

function peakRssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Math.round(Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024);
}

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

interface Row {
  readonly name: string;
  readonly load: Load;
  readonly single: Load;
  readonly rssMiB: number | undefined;
  readonly cpuUsPerReq: number | undefined;
}

interface Case {
  readonly name: string;
  readonly url: string;
  /** The process under test, for RSS and CPU; none for the direct case. */
  readonly pid: number | undefined;
  readonly headers?: readonly string[];
}

interface Sample {
  readonly load: Load;
  readonly single: Load;
  readonly cpuUsPerReq: number | undefined;
}

function sample(c: Case): Sample {
  const cpuBefore = c.pid === undefined ? 0 : cpuSeconds(c.pid);
  const load = wrk(c.url, CONNECTIONS, DURATION_S, c.headers);
  const cpuAfter = c.pid === undefined ? 0 : cpuSeconds(c.pid);
  const single = wrk(c.url, 1, Math.max(2, Math.round(DURATION_S / 2)), c.headers);
  const cpuUsPerReq = c.pid === undefined ? undefined : Math.round(((cpuAfter - cpuBefore) * 1e6) / (load.rps * DURATION_S));
  return { load, single, cpuUsPerReq };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
};

function medianLoad(loads: Load[]): Load {
  return { rps: median(loads.map((l) => l.rps)), p50ms: median(loads.map((l) => l.p50ms)), p99ms: median(loads.map((l) => l.p99ms)) };
}

/** Warms every case up, then runs ROUNDS interleaved rounds and takes medians. */
function measureAll(cases: readonly Case[]): Row[] {
  for (const c of cases) wrk(c.url, CONNECTIONS, 2, c.headers); // JIT, connection pools
  const samples = cases.map(() => [] as Sample[]);
  for (let round = 0; round < ROUNDS; round++) {
    cases.forEach((c, i) => samples[i]?.push(sample(c)));
  }
  return cases.map((c, i) => {
    const s = samples[i] ?? [];
    const cpu = s.map((x) => x.cpuUsPerReq).filter((x): x is number => x !== undefined);
    return {
      name: c.name,
      load: medianLoad(s.map((x) => x.load)),
      single: medianLoad(s.map((x) => x.single)),
      rssMiB: c.pid === undefined ? undefined : peakRssMiB(c.pid),
      cpuUsPerReq: cpu.length === 0 ? undefined : median(cpu),
    };
  });
}

function table(rows: readonly Row[]): string {
  const direct = rows[0]?.load.rps ?? NaN;
  const bare = rows[1]?.load.rps ?? NaN;
  const f = (n: number, d = 2) => (Number.isFinite(n) ? n.toFixed(d) : 'n/a');
  const lines = [
    `| case | req/s (${CONNECTIONS} conn) | vs direct | vs bare proxy | p50 ms | p99 ms | p50 ms (1 conn) | p99 ms (1 conn) | peak RSS MiB | CPU us/req |`,
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.name} | ${f(r.load.rps, 0)} | ${f(r.load.rps / direct)} | ${f(r.load.rps / bare)} | ${f(r.load.p50ms)} | ${f(r.load.p99ms)} | ${f(r.single.p50ms, 3)} | ${f(r.single.p99ms, 3)} | ${r.rssMiB ?? '-'} | ${r.cpuUsPerReq ?? '-'} |`,
    );
  }
  return lines.join('\n');
}

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
  const coprocess = { coprocess_options: { enable_coprocess: true, coprocess_grpc_server: `127.0.0.1:${plugin.port}` } };
  const pluginAuth = await startHookgate(upstreamUrl, coprocess, { use_keyless: false, enable_coprocess_auth: true, custom_middleware: { driver: 'grpc', auth_check: { name: 'Trivial' } } });
  // One Python worker per core, as the gateway's default (python_workers 0).
  const python = await startHookgate(upstreamUrl, { coprocess_options: { enable_coprocess: true } }, {
    use_keyless: false,
    enable_coprocess_auth: true,
    config_data: { bench: true },
    hookgate: { bundle_path: pythonTutorialBundle() },
  });
  const chain = await startHookgate(upstreamUrl, coprocess, {
    custom_middleware: { driver: 'grpc', pre: [{ name: 'BenchPre' }], post: [{ name: 'BenchPost' }], response: [{ name: 'BenchResponse' }] },
  });
  await sleep(300);
  const auth = [`Authorization: ${KEY}`];

  const rows = measureAll([
    { name: '1. direct to the upstream', url: `${upstreamUrl}/x`, pid: undefined },
    { name: '2. bare node:http proxy (keep-alive agent)', url: `http://127.0.0.1:${bare.port}/x`, pid: bare.pid },
    { name: '5. Hookgate keyless', url: `http://127.0.0.1:${hookgate.port}/bench/x`, pid: hookgate.pid },
    { name: '5b. Hookgate keyless, access log off', url: `http://127.0.0.1:${quiet.port}/bench/x`, pid: quiet.pid },
    { name: '6. Hookgate auth token + rate limit, in memory', url: `http://127.0.0.1:${tokenMemory.port}/bench/x`, pid: tokenMemory.pid, headers: auth },
    ...(tokenRedis === undefined ? [] : [{ name: '7. Hookgate auth token + rate limit, Redis', url: `http://127.0.0.1:${tokenRedis.port}/bench/x`, pid: tokenRedis.pid, headers: auth }]),
    { name: '8. Hookgate gRPC auth_check plugin (SDK) on every request', url: `http://127.0.0.1:${pluginAuth.port}/bench/x`, pid: pluginAuth.pid, headers: auth },
    { name: "10. Hookgate with the Python bridge's tutorial plugin", url: `http://127.0.0.1:${python.port}/bench/x`, pid: python.pid, headers: auth },
    { name: '11. Hookgate pre + post + response hook chain (SDK)', url: `http://127.0.0.1:${chain.port}/bench/x`, pid: chain.pid },
  ]);
  const commit = (() => {
    try {
      return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: PACKAGE_ROOT, encoding: 'utf8' }).trim();
    } catch {
      return 'unknown';
    }
  })();
  const text = table(rows);
  process.stdout.write(`${text}\n`);
  const header = `\n## ${new Date().toISOString()} commit ${commit}\n\nCommand: \`npm run bench\` (wrk; ${ROUNDS} interleaved rounds of ${DURATION_S} s per case at ${CONNECTIONS} connections, then 1 connection; medians; Node ${process.version}; wrk, upstream, gateway, plugin and Redis share the machine's 2 cores; the gateway writes its access log to a file; CPU us/req is the gateway's alone)\n\n`;
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
