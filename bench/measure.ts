/**
 * How bench/run.ts measures a case: wrk at 50 connections and at 1, the process's CPU and peak
 * RSS from /proc, interleaved rounds and medians, and the table with ratios against the two
 * baselines of the same run.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export const DURATION_S = Number(process.env['BENCH_DURATION'] ?? '5');
/** Cases run interleaved in rounds and each figure is the median over rounds: noise on a shared machine drifts over time, and interleaving spreads it across cases. */
export const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? '3');
export const CONNECTIONS = 50;
/** The 1-connection run of each sample (latency of a hop, not throughput): shorter, to keep `npm run bench` under 10 minutes. */
export const SINGLE_DURATION_S = Math.max(2, Math.floor(DURATION_S / 2));

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

/** The machine's idle and total CPU ticks so far (/proc/stat: idle + iowait, all fields). */
function machineTicks(): { idle: number; total: number } {
  const fields = (/^cpu\s+(.*)$/m.exec(readFileSync('/proc/stat', 'utf8'))?.[1] ?? '').split(/\s+/).map(Number);
  return { idle: (fields[3] ?? 0) + (fields[4] ?? 0), total: fields.slice(0, 8).reduce((a, b) => a + b, 0) };
}

function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export interface Row {
  readonly name: string;
  readonly load: Load;
  readonly single: Load;
  readonly rssMiB: number | undefined;
  readonly cpuUsPerReq: number | undefined;
  /** How much of the machine's CPU was idle during the 50-connection runs: none left means more processes cannot help. */
  readonly idlePct: number;
}

export interface Case {
  readonly name: string;
  readonly url: string;
  /** The process under test, for RSS and CPU; none for the direct case. */
  readonly pid: number | undefined;
  /** When the case is several processes (--workers): all of them, CPU and peak RSS summed. */
  readonly pids?: readonly number[] | undefined;
  readonly headers?: readonly string[];
}

interface Sample {
  readonly load: Load;
  readonly single: Load;
  readonly cpuUsPerReq: number | undefined;
  readonly idlePct: number;
}

const processesOf = (c: Case): readonly number[] => c.pids ?? (c.pid === undefined ? [] : [c.pid]);
const sum = (values: readonly number[]): number => values.reduce((a, b) => a + b, 0);

function sample(c: Case): Sample {
  const cpuBefore = sum(processesOf(c).map(cpuSeconds));
  const ticksBefore = machineTicks();
  const load = wrk(c.url, CONNECTIONS, DURATION_S, c.headers);
  const ticksAfter = machineTicks();
  const cpuAfter = sum(processesOf(c).map(cpuSeconds));
  const idlePct = (100 * (ticksAfter.idle - ticksBefore.idle)) / Math.max(1, ticksAfter.total - ticksBefore.total);
  const single = wrk(c.url, 1, SINGLE_DURATION_S, c.headers);
  const cpuUsPerReq = c.pid === undefined ? undefined : Math.round(((cpuAfter - cpuBefore) * 1e6) / (load.rps * DURATION_S));
  return { load, single, cpuUsPerReq, idlePct };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
};

function medianLoad(loads: Load[]): Load {
  return { rps: median(loads.map((l) => l.rps)), p50ms: median(loads.map((l) => l.p50ms)), p99ms: median(loads.map((l) => l.p99ms)) };
}

/**
 * BENCH_CASES=8,8b runs those cases (by the number before the dot) and the two baselines every
 * ratio is taken against; unset runs them all.
 */
export function selected(cases: readonly Case[]): Case[] {
  const only = (process.env['BENCH_CASES'] ?? '').split(',').map((c) => c.trim()).filter((c) => c !== '');
  if (only.length === 0) return [...cases];
  return cases.filter((c, i) => i < 2 || only.includes(c.name.split('.')[0] ?? ''));
}

/** Warms every case up, then runs ROUNDS interleaved rounds and takes medians. */
export function measureAll(cases: readonly Case[]): Row[] {
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
      rssMiB: c.pid === undefined ? undefined : sum(processesOf(c).map(peakRssMiB)),
      cpuUsPerReq: cpu.length === 0 ? undefined : median(cpu),
      idlePct: median(s.map((x) => x.idlePct)),
    };
  });
}

export function table(rows: readonly Row[]): string {
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

/**
 * The figures the issue's targets are stated in that are not a column of the table: the added p50
 * latency of one gRPC hook at 1 connection (case 8 minus case 5, and with h2), the --workers
 * scaling (12b over 12), fast-gateway and nginx against Hookgate keyless, and peak RSS under load.
 */
/** The issue's 150 MB, in the MiB that /proc reports. */
const RSS_TARGET_MIB = 150e6 / 2 ** 20;

export function derivedFigures(rows: readonly Row[]): string {
  const row = (id: string) => rows.find((r) => r.name.startsWith(`${id}. `));
  const f = (n: number, d = 2) => (Number.isFinite(n) ? n.toFixed(d) : 'n/a');
  const lines: string[] = [];
  const keyless = row('5');
  for (const [id, label] of [['8', 'grpc-js'], ['8b', 'h2']] as const) {
    const hook = row(id);
    if (keyless !== undefined && hook !== undefined) {
      lines.push(`- added p50 latency of one gRPC hook at 1 connection (${label}, case ${id} - case 5): ${f(hook.single.p50ms - keyless.single.p50ms, 3)} ms (target <= 0.3 ms)`);
    }
  }
  const fast = row('3');
  if (keyless !== undefined && fast !== undefined) lines.push(`- Hookgate keyless vs fast-gateway (case 5 / case 3): ${f(keyless.load.rps / fast.load.rps)}x (target >= 1.4x)`);
  const nginx = row('4');
  if (keyless !== undefined && nginx !== undefined) lines.push(`- Hookgate keyless vs nginx (case 5 / case 4): ${f(keyless.load.rps / nginx.load.rps)}x`);
  const cached = row('9');
  const bare = rows[1];
  if (cached !== undefined && bare !== undefined) lines.push(`- gRPC auth behind the ID extractor cache vs the bare proxy (case 9 / case 2): ${f(cached.load.rps / bare.load.rps)}x (target >= 0.85x)`);
  const one = row('12');
  const two = row('12b');
  if (one !== undefined && two !== undefined) {
    lines.push(`- --workers 2 vs --workers 1 (case 12b / case 12): ${f(two.load.rps / one.load.rps)}x (target >= 1.4x); machine CPU idle during the 50-connection runs: ${f(one.idlePct, 0)}% (1 worker), ${f(two.idlePct, 0)}% (2 workers)`);
  }
  // Every Hookgate case but 12b (three processes); cases 1-4 are the baselines.
  const single = rows.filter((r) => r.rssMiB !== undefined && !['1', '2', '3', '4', '12b'].includes(r.name.split('.')[0] ?? ''));
  if (single.length > 0) {
    const peak = single.reduce((a, b) => ((a.rssMiB ?? 0) >= (b.rssMiB ?? 0) ? a : b));
    const over = single.filter((r) => (r.rssMiB ?? 0) > RSS_TARGET_MIB).map((r) => r.name.split('.')[0]);
    lines.push(`- peak RSS under load, one Hookgate process: highest ${peak.rssMiB} MiB (case ${peak.name.split('.')[0]}; target <= 150 MB = 143 MiB)${over.length === 0 ? '' : `; above the target: cases ${over.join(', ')}`}`);
  }
  return lines.join('\n');
}
