/**
 * `hookgate start --workers N`: the primary process of a node:cluster. It forks N gateway
 * workers that share the listen ports (and nothing but storage), launches the sidecars once,
 * forwards SIGHUP and SIGTERM to every worker, and replaces a worker that dies, with backoff.
 * docs/operations.md ("Several workers") says why each choice was made.
 */
import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import { AggregatorRegistry } from 'prom-client';
import { SidecarSupervisor } from '../../coprocess/index.js';
import type { GatewayConfig } from '../config/index.js';
import { HookgateError } from '../errors/index.js';
import type { Logger } from '../logging/index.js';
import type { GatewayMetrics } from '../metrics/index.js';

/** How long the primary collects the workers' metrics for one scrape, and how long a worker waits for the sum. */
const METRICS_COLLECT_MS = 1_500;
const METRICS_WAIT_MS = 3_000;
/** More than this is a typo, not a deployment: every worker holds its own pools, caches and plugin channels. */
export const MAX_WORKERS = 64;
/** Restart delays after consecutive failures: 200 ms doubling to 10 s; reset once a worker has served this long. */
const BACKOFF_INITIAL_MS = 200;
const BACKOFF_MAX_MS = 10_000;
const STABLE_AFTER_MS = 10_000;
/** After the workers' own grace period, how long the primary waits before SIGKILL. */
const KILL_AFTER_GRACE_MS = 5_000;

/** One worker's metrics, as prom-client's getMetricsAsJSON gives them. */
type MetricsPart = Awaited<ReturnType<GatewayMetrics['registry']['getMetricsAsJSON']>>;

/** A worker tells the primary. */
export type WorkerMessage =
  | { readonly type: 'hookgate:listening'; readonly port: number; readonly controlPort: number | undefined }
  | { readonly type: 'hookgate:reload-others' }
  /** A scrape of /metrics reached this worker: the primary is to sum every worker's. */
  | { readonly type: 'hookgate:metrics-request'; readonly id: number }
  | { readonly type: 'hookgate:metrics-part'; readonly id: number; readonly metrics: MetricsPart };
/** The primary tells a worker. */
export type PrimaryMessage =
  | { readonly type: 'hookgate:reload' }
  | { readonly type: 'hookgate:metrics-collect'; readonly id: number }
  | { readonly type: 'hookgate:metrics-total'; readonly id: number; readonly body: string };

const toPrimary = (message: WorkerMessage): void => {
  process.send?.(message);
};

/** `--workers`: a whole number from 1 to MAX_WORKERS, or `auto` (one per core). */
export function parseWorkers(value: string | undefined): number {
  if (value === undefined) return 1;
  if (value === 'auto') return Math.min(availableParallelism(), MAX_WORKERS);
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > MAX_WORKERS) {
    throw new HookgateError('HG_ERR_CLI_USAGE', `hookgate start: --workers takes a whole number from 1 to ${MAX_WORKERS} or "auto" (one per core, ${availableParallelism()} here), got ${JSON.stringify(value)}`);
  }
  return n;
}

/** Why N > 1 workers cannot run on this config, or undefined when they can. */
export function workersRefusal(config: GatewayConfig, workers: number): string | undefined {
  if (workers <= 1 || config.storage.kind !== 'memory') return undefined;
  return (
    `hookgate start: --workers ${workers} needs shared storage, and this config uses the in-memory store: ` +
    `each worker would keep its own keys, sessions, rate limits and quotas (a limit of 100 would let ${workers * 100} through). ` +
    'Configure Redis (`storage` in tyk.conf, docs/config.md) or run one worker.\n'
  );
}

export const isClusterWorker = (): boolean => cluster.isWorker;

/** In a worker: tells the primary this worker serves. */
export function announceListening(port: number, controlPort: number | undefined): void {
  toPrimary({ type: 'hookgate:listening', port, controlPort });
}

/** In a worker: the control API reloads this worker and asks the primary to reload the others. */
export function reloadEveryWorker(local: () => Promise<void>): Promise<void> {
  toPrimary({ type: 'hookgate:reload-others' });
  return local();
}

/**
 * In a worker: gives the primary this worker's metrics when it collects them, and has /metrics
 * answer with the sum over every worker (prom-client's aggregation: counters and histograms
 * summed). Should the primary not answer, the worker's own figures are served, saying so.
 */
export function shareMetrics(metrics: GatewayMetrics): void {
  let next = 0;
  const waiting = new Map<number, (body: string) => void>();
  process.on('message', (message: PrimaryMessage) => {
    if (message?.type === 'hookgate:metrics-collect') {
      void metrics.registry.getMetricsAsJSON().then((part) => toPrimary({ type: 'hookgate:metrics-part', id: message.id, metrics: part }));
    } else if (message?.type === 'hookgate:metrics-total') {
      waiting.get(message.id)?.(message.body);
      waiting.delete(message.id);
    }
  });
  metrics.aggregateWith(
    (local) =>
      new Promise((resolve) => {
        const id = ++next;
        const timer = setTimeout(() => {
          waiting.delete(id);
          void local.metrics().then((body) => resolve(`# hookgate: this worker's metrics only (the primary did not answer within ${METRICS_WAIT_MS} ms)\n${body}`));
        }, METRICS_WAIT_MS);
        waiting.set(id, (body) => {
          clearTimeout(timer);
          resolve(body);
        });
        toPrimary({ type: 'hookgate:metrics-request', id });
      }),
  );
}

/** In a worker: runs `reload` whenever the primary says so. */
export function onPrimaryReload(reload: () => void): void {
  process.on('message', (message: PrimaryMessage) => {
    if (message?.type === 'hookgate:reload') reload();
  });
}

interface Slot {
  readonly id: number;
  worker: Worker | undefined;
  listening: boolean;
  startedAt: number;
  failures: number;
  restart: NodeJS.Timeout | undefined;
}

export interface PrimaryOptions {
  readonly config: GatewayConfig;
  readonly workers: number;
  readonly logger: Logger;
}

/**
 * Connections are handed out by the primary in turn (SCHED_RR, Node's default on Linux) unless
 * NODE_CLUSTER_SCHED_POLICY says otherwise: measured here, the kernel's own choice (SCHED_NONE)
 * gave one worker most of the connections (operations.md).
 */
function chooseSchedulingPolicy(): 'rr' | 'none' {
  const fromEnv = process.env['NODE_CLUSTER_SCHED_POLICY'];
  if (fromEnv === 'none') return 'none';
  if (fromEnv !== 'rr') cluster.schedulingPolicy = cluster.SCHED_RR;
  return 'rr';
}

/** Runs the primary until SIGTERM or SIGINT; resolves to the exit code. */
export async function runPrimary({ config, workers, logger }: PrimaryOptions): Promise<number> {
  const scheduling = chooseSchedulingPolicy();
  const log = logger.child({ component: 'workers' });
  const sidecars = config.coprocess.sidecars.length === 0 ? undefined : new SidecarSupervisor(config.coprocess.sidecars, logger);
  let stopping = false;
  let resolveDone: (code: number) => void = () => undefined;
  const done = new Promise<number>((resolve) => (resolveDone = resolve));
  const slots: Slot[] = Array.from({ length: workers }, (_, i) => ({ id: i + 1, worker: undefined, listening: false, startedAt: 0, failures: 0, restart: undefined }));
  let allListening = false;

  const live = () => slots.flatMap((s) => (s.worker === undefined ? [] : [s.worker]));
  const stopAll = async (code: number) => {
    if (stopping) return;
    stopping = true;
    for (const slot of slots) clearTimeout(slot.restart);
    const running = live();
    for (const worker of running) worker.process.kill('SIGTERM');
    const killer = setTimeout(() => {
      for (const worker of live()) {
        log.warn({ worker: slotOf(worker)?.id, worker_pid: worker.process.pid }, 'worker still running after the grace period: killing it');
        worker.process.kill('SIGKILL');
      }
    }, config.shutdownGraceMs + KILL_AFTER_GRACE_MS);
    await Promise.all(running.map((worker) => (worker.isDead() ? undefined : new Promise((resolve) => worker.once('exit', resolve)))));
    clearTimeout(killer);
    await sidecars?.stop();
    log.info({ workers }, 'every worker stopped');
    resolveDone(code);
  };
  const slotOf = (worker: Worker) => slots.find((s) => s.worker === worker);

  // One collection per scrape: every live worker's metrics, summed, sent to the worker scraped.
  let collections = 0;
  const collecting = new Map<number, { parts: MetricsPart[]; missing: number; finish: () => void }>();
  const collectMetrics = (asker: Worker, askerId: number) => {
    const id = ++collections;
    const targets = live().filter((w) => w.isConnected());
    const parts: MetricsPart[] = [];
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      collecting.delete(id);
      // Should the sum fail, the worker asking serves its own figures once it stops waiting.
      Promise.resolve()
        .then(() => AggregatorRegistry.aggregate(parts).metrics())
        .then((body) => send(asker, { type: 'hookgate:metrics-total', id: askerId, body }))
        .catch((err: unknown) => log.error({ err: err instanceof Error ? err.message : String(err) }, 'summing the workers\' metrics failed'));
    };
    const timer = setTimeout(finish, METRICS_COLLECT_MS);
    collecting.set(id, { parts, missing: targets.length, finish });
    for (const target of targets) send(target, { type: 'hookgate:metrics-collect', id });
  };
  const metricsPart = (id: number, part: MetricsPart) => {
    const collection = collecting.get(id);
    if (collection === undefined) return;
    collection.parts.push(part);
    if (--collection.missing <= 0) collection.finish();
  };

  const fork = (slot: Slot) => {
    slot.restart = undefined;
    slot.listening = false;
    slot.startedAt = Date.now();
    const worker = cluster.fork({ HOOKGATE_WORKER_ID: String(slot.id), HOOKGATE_WORKERS: String(workers) });
    slot.worker = worker;
    worker.on('message', (message: WorkerMessage) => {
      if (message?.type === 'hookgate:listening') {
        slot.listening = true;
        log.info({ worker: slot.id, worker_pid: worker.process.pid, port: message.port }, 'worker listening');
        if (!allListening && slots.every((s) => s.listening)) {
          allListening = true;
          log.info({ workers, port: message.port, control_port: message.controlPort, scheduling, storage: config.storage.kind }, 'workers listening');
        }
      } else if (message?.type === 'hookgate:reload-others') {
        log.info({ from: slot.id }, 'control API reload: reloading the other workers');
        for (const other of live()) if (other !== worker) send(other, { type: 'hookgate:reload' });
      } else if (message?.type === 'hookgate:metrics-request') {
        collectMetrics(worker, message.id);
      } else if (message?.type === 'hookgate:metrics-part') {
        metricsPart(message.id, message.metrics);
      }
    });
    worker.once('exit', (code, signal) => {
      if (slot.worker === worker) slot.worker = undefined;
      if (stopping) return;
      // A worker that never served while the others are still starting: the config, ports or
      // storage are wrong for every worker, so the gateway fails to start as one process would.
      if (!allListening && !slot.listening) {
        log.fatal({ worker: slot.id, worker_pid: worker.process.pid, code, signal }, 'a worker failed to start: the gateway stops');
        void stopAll(1);
        return;
      }
      slot.failures = Date.now() - slot.startedAt >= STABLE_AFTER_MS ? 1 : slot.failures + 1;
      const delay = Math.min(BACKOFF_INITIAL_MS * 2 ** Math.min(slot.failures - 1, 30), BACKOFF_MAX_MS);
      log.error({ worker: slot.id, worker_pid: worker.process.pid, code, signal, restart_in_ms: delay, failures: slot.failures }, 'worker exited: starting a new one');
      slot.restart = setTimeout(() => fork(slot), delay);
    });
  };
  const send = (worker: Worker, message: PrimaryMessage) => {
    if (worker.isConnected()) worker.send(message);
  };

  process.on('SIGHUP', () => {
    log.info({ workers: live().length }, 'SIGHUP: reloading the API definitions in every worker');
    for (const worker of live()) send(worker, { type: 'hookgate:reload' });
  });
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      // A second signal: each worker's second SIGTERM closes its connections at once.
      log.warn({ signal }, 'second signal: workers close every connection now');
      for (const worker of live()) worker.process.kill('SIGTERM');
      return;
    }
    log.info({ signal, workers: live().length }, 'signal received: stopping every worker');
    void stopAll(0);
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);

  // Sidecars run once, here, before any worker serves: workers dispatch to their addresses and
  // fail closed while one is down (the primary restarts it).
  await sidecars?.start();
  if (!stopping) for (const slot of slots) fork(slot);
  return done;
}
