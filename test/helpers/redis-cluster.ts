import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { freePort } from './ports.js';
import { tempDir, type TempDir } from './tmp.js';

export interface ClusterNode {
  readonly host: string;
  readonly port: number;
  /** The running redis-server's pid; null while the node is killed. */
  readonly pid: number | null;
}

export interface RedisCluster {
  /** Masters in creation order; `pid` follows kills and restarts. */
  readonly nodes: readonly ClusterNode[];
  /** Stops every node and removes the cluster's files. Safe to call twice. */
  stop(): Promise<void>;
  /** Kills node `i` (SIGKILL: a crash, not a shutdown) and waits for it to exit. */
  killNode(i: number): Promise<void>;
  /**
   * Starts node `i` again on its port with its cluster config file, so it rejoins as the same
   * master with the same slots (and, without persistence, no keys); resolves once every running
   * node reports `cluster_state:ok` again, unless `waitForOk` is false (to restart several).
   */
  restartNode(i: number, options?: { readonly waitForOk?: boolean }): Promise<void>;
  /** The index of the node whose slots hold `key` (asked of a running node). */
  nodeFor(key: string): Promise<number>;
  /** Waits until every running node reports `cluster_state:ok`. */
  waitForOk(timeoutMs?: number): Promise<void>;
}

export interface RedisClusterOptions {
  readonly masters?: number;
  /**
   * `cluster-node-timeout`: how long a master may be unreachable before the others mark it failed
   * (and, with full coverage required, stop serving every slot). Redis's default is 15000; tests
   * use a short one so a killed master is noticed, and forgiven after a restart, in seconds.
   */
  readonly nodeTimeoutMs?: number;
}

const HOST = '127.0.0.1';
const START_TIMEOUT_MS = 10_000;
const CREATE_TIMEOUT_MS = 30_000;
const OK_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 5_000;

interface Slot {
  readonly port: number;
  /** The cluster bus port, chosen explicitly: port + 10000 may be taken or above 65535. */
  readonly busPort: number;
  child: ChildProcess | undefined;
}

/** Every redis-server a test file started and has not stopped yet, killed if the process exits early. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/**
 * A Redis Cluster of `masters` real redis-server processes on loopback (no replicas, no
 * persistence), created with `redis-cli --cluster create`. Every wait is bounded; on any failure
 * the processes started so far are stopped and the files removed.
 */
export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RedisCluster> {
  const masters = options.masters ?? 3;
  const nodeTimeoutMs = options.nodeTimeoutMs ?? 1000;
  if (masters < 3) throw new Error('redis-cli --cluster create needs at least 3 masters');
  const dir = await tempDir('hookgate-redis-cluster-');
  const slots: Slot[] = [];

  const launch = (slot: Slot) => spawnNode(slot, dir, nodeTimeoutMs);
  const stopAll = async () => {
    await Promise.all(slots.map((slot) => stopNode(slot, 'SIGTERM')));
    await dir.remove();
  };

  try {
    for (let i = 0; i < masters; i++) slots.push(await startFreshNode(dir, nodeTimeoutMs));
    await createCluster(slots.map((s) => s.port));
    const cluster: RedisCluster = {
      get nodes() {
        return slots.map((s) => ({ host: HOST, port: s.port, pid: s.child?.pid ?? null }));
      },
      stop: stopAll,
      async killNode(i) {
        await stopNode(slotAt(slots, i), 'SIGKILL');
      },
      async restartNode(i, options = {}) {
        const slot = slotAt(slots, i);
        if (slot.child !== undefined) throw new Error(`cluster node ${i} is still running`);
        await launch(slot);
        if (options.waitForOk !== false) await waitForOk(slots);
      },
      async nodeFor(key) {
        const port = slots.find((s) => s.child !== undefined)?.port;
        if (port === undefined) throw new Error('no cluster node is running');
        const hashSlot = Number(await clusterCommand(port, 'KEYSLOT', key));
        const ranges = (await clusterCommand(port, 'SLOTS')) as [number, number, [string, number, ...unknown[]]][];
        const owner = ranges.find(([from, to]) => hashSlot >= from && hashSlot <= to)?.[2][1];
        const index = slots.findIndex((s) => s.port === owner);
        if (index === -1) throw new Error(`no node owns slot ${hashSlot} of ${JSON.stringify(key)}`);
        return index;
      },
      waitForOk: (timeoutMs) => waitForOk(slots, timeoutMs),
    };
    await cluster.waitForOk();
    return cluster;
  } catch (err) {
    await stopAll();
    throw err;
  }
}

function slotAt(slots: readonly Slot[], i: number): Slot {
  const slot = slots[i];
  if (slot === undefined) throw new Error(`no cluster node ${i} (there are ${slots.length})`);
  return slot;
}

/** A node on fresh free ports; picks other ports if these were taken in the meantime. */
async function startFreshNode(dir: TempDir, nodeTimeoutMs: number): Promise<Slot> {
  for (let attempt = 0; ; attempt++) {
    const slot: Slot = { port: await freePort(), busPort: await freePort(), child: undefined };
    if (slot.port === slot.busPort) continue;
    try {
      await spawnNode(slot, dir, nodeTimeoutMs);
      return slot;
    } catch (err) {
      if (attempt >= 4) throw err;
    }
  }
}

function spawnNode(slot: Slot, dir: TempDir, nodeTimeoutMs: number): Promise<void> {
  const args = [
    '--port', String(slot.port),
    '--bind', HOST,
    '--save', '',
    '--appendonly', 'no',
    '--cluster-enabled', 'yes',
    '--cluster-config-file', `nodes-${slot.port}.conf`,
    '--cluster-port', String(slot.busPort),
    '--cluster-node-timeout', String(nodeTimeoutMs),
    // Files (the cluster config) go to the temp dir, not the test's working directory.
    '--dir', dir.path,
  ];
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.once('exit', () => running.delete(child));
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`redis-server (cluster node) did not start on port ${slot.port}: ${output}`));
    }, START_TIMEOUT_MS);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`redis-server (cluster node) exited (${code}) before it was ready: ${output}`));
    };
    child.once('exit', onExit);
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
      output += chunk;
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        child.off('exit', onExit);
        slot.child = child;
        resolve();
      }
    });
  });
}

async function stopNode(slot: Slot, signal: NodeJS.Signals): Promise<void> {
  const child = slot.child;
  slot.child = undefined;
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill(signal);
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

function createCluster(ports: readonly number[]): Promise<void> {
  const args = ['--cluster', 'create', ...ports.map((p) => `${HOST}:${p}`), '--cluster-replicas', '0', '--cluster-yes'];
  return new Promise((resolve, reject) => {
    execFile('redis-cli', args, { timeout: CREATE_TIMEOUT_MS, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      if (err !== null) reject(new Error(`redis-cli --cluster create failed: ${err.message}\n${stdout}\n${stderr}`));
      else if (!stdout.includes('[OK] All 16384 slots covered')) reject(new Error(`redis-cli --cluster create did not cover every slot:\n${stdout}`));
      else resolve();
    });
  });
}

/** A command on one node (not routed by slot), on a short-lived connection that never retries. */
export async function nodeCommand(port: number, command: string, ...args: string[]): Promise<unknown> {
  const client = new Redis({ host: HOST, port, lazyConnect: true, enableOfflineQueue: false, retryStrategy: () => null, connectTimeout: 1000, commandTimeout: 1000, maxRetriesPerRequest: 0 });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return await client.call(command, ...args);
  } finally {
    client.disconnect();
  }
}

const clusterCommand = (port: number, ...args: string[]) => nodeCommand(port, 'CLUSTER', ...args);

/** `cluster_state` (ok or fail) as one node sees it. */
export async function clusterState(port: number): Promise<string> {
  return /cluster_state:(\w+)/.exec(String(await clusterCommand(port, 'INFO')))?.[1] ?? '?';
}

async function waitForOk(slots: readonly Slot[], timeoutMs = OK_TIMEOUT_MS): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const states = await Promise.all(
      slots.filter((s) => s.child !== undefined).map(async (s) => {
        try {
          return `${s.port}: ${await clusterState(s.port)}`;
        } catch (err) {
          return `${s.port}: ${err instanceof Error ? err.message : String(err)}`;
        }
      }),
    );
    if (states.every((s) => s.endsWith(': ok'))) return;
    last = states.join(', ');
    if (Date.now() > deadline) throw new Error(`Redis Cluster not ok after ${timeoutMs} ms (${last})`);
    await sleep(50);
  }
}
