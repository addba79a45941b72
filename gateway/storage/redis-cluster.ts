import { lookup } from 'node:dns';
import { Cluster, type Redis } from 'ioredis';
import type { StorageConfig } from '../config/index.js';
import type { Logger } from '../logging/index.js';
import { defineScripts, errorMessage, healthFail, healthPass, OutageLog, reconnectDelay, RedisKeyStore, scanInto, type ScriptCommands } from './redis-common.js';
import type { HealthItem } from './types.js';

type RedisClusterConfig = Extract<StorageConfig, { kind: 'redis-cluster' }>;

const SLOTS = 16384;

/**
 * A command whose master is unreachable, or that meets CLUSTERDOWN or TRYAGAIN, is retried at
 * most this many times, RETRY_DELAY_MS apart, each time after reloading the slot table (which
 * picks up a failover that has completed). Then it fails: a request waits ~300 ms at most.
 */
const MAX_REDIRECTIONS = 3;
const RETRY_DELAY_MS = 100;

/** How often the slot table is reloaded without being asked, so a failover or resharding is seen. */
const SLOTS_REFRESH_INTERVAL_MS = 5000;

const nodeKey = (node: Redis): string => `${node.options.host ?? ''}:${node.options.port ?? ''}`;

/**
 * Redis Cluster through ioredis. Keys are spread over the masters by hash slot; every operation
 * touches one key, so each runs on one master, atomically, and every gateway sharing the cluster
 * sees one counter per key. As with RedisStore, nothing is queued while a master is unreachable:
 * commands on its slots fail within ~MAX_REDIRECTIONS * RETRY_DELAY_MS, and the connection to it
 * keeps reconnecting with a capped backoff (as does the cluster client when every node is gone).
 */
export class RedisClusterStore extends RedisKeyStore {
  protected readonly client: Cluster & ScriptCommands;
  private readonly outage: OutageLog;
  private readonly seeds: string;

  constructor(config: RedisClusterConfig, logger: Logger) {
    super();
    this.seeds = config.nodes.map(({ host, port }) => `${host}:${port}`).join(',');
    this.outage = new OutageLog(logger, 'Redis Cluster');
    this.client = new Cluster(
      config.nodes.map(({ host, port }) => ({ host, port })),
      {
        enableOfflineQueue: false,
        clusterRetryStrategy: reconnectDelay,
        // Without this a lost node is dropped until a MOVED reply brings it back; with it, the
        // connection to a master that restarts comes back by itself.
        clusterNodeRetryStrategy: reconnectDelay,
        maxRedirections: MAX_REDIRECTIONS,
        retryDelayOnFailover: RETRY_DELAY_MS,
        retryDelayOnClusterDown: RETRY_DELAY_MS,
        retryDelayOnTryAgain: RETRY_DELAY_MS,
        slotsRefreshTimeout: Math.min(config.commandTimeoutMs, 1000),
        slotsRefreshInterval: SLOTS_REFRESH_INTERVAL_MS,
        // ioredis resolves every seed before it connects to any, so one seed that does not
        // resolve would keep it from using the others: such a seed is passed on unresolved, and
        // only its own connection fails.
        dnsLookup: (hostname, callback) =>
          lookup(hostname, (err, address, family) => {
            if (err === null) {
              this.outage.forget(`dns:${hostname}`);
              callback(null, address, family);
            } else {
              this.outage.failed(`dns:${hostname}`, err);
              callback(null, hostname);
            }
          }),
        redisOptions: {
          ...(config.username === '' ? {} : { username: config.username }),
          ...(config.password === '' ? {} : { password: config.password }),
          maxRetriesPerRequest: 0,
          commandTimeout: config.commandTimeoutMs,
          connectTimeout: Math.min(config.commandTimeoutMs, 10_000),
        },
      },
    ) as Cluster & ScriptCommands;
    defineScripts(this.client);
    this.client.on('ready', () => this.outage.connected(this.seeds));
    // Emitted when no seed node answers: the cluster client reconnects on its own.
    this.client.on('error', (err: Error) => this.outage.failed(this.seeds, err));
    // One node's connection failing: logged once per outage of that node.
    this.client.on('node error', (err: Error, key: string) => this.outage.failed(key, err));
    this.client.on('+node', (node: Redis) => {
      const key = nodeKey(node);
      node.on('ready', () => {
        if (this.outage.reason(key) !== undefined) this.outage.connected(key);
      });
    });
  }

  /** SCANs every master: each holds only the keys of its own slots. */
  async listKeys(prefix: string, limit = Infinity): Promise<string[]> {
    const out = new Set<string>();
    for (const master of this.client.nodes('master')) {
      if (out.size >= limit) break;
      // A partial list would pass for a complete one: fail instead, at once.
      if (master.status !== 'ready' && master.status !== 'wait') throw new Error(`Redis Cluster master ${nodeKey(master)} is ${master.status}`);
      await scanInto(master, prefix, limit, out);
    }
    return [...out];
  }

  /**
   * Passes when the cluster client is ready, every slot has a master, and every master answers
   * and reports `cluster_state:ok`; otherwise says which master is missing and why.
   */
  async health(): Promise<HealthItem> {
    if (this.client.status !== 'ready') {
      const reason = this.outage.reason(this.seeds);
      return healthFail(`Redis Cluster connection is ${this.client.status}${reason === undefined ? '' : `: ${reason}`}`);
    }
    const owners = new Set<string>();
    let uncovered = 0;
    for (let slot = 0; slot < SLOTS; slot++) {
      const owner = this.client.slots[slot]?.[0];
      if (owner === undefined) uncovered++;
      else owners.add(owner);
    }
    if (uncovered > 0) return healthFail(`Redis Cluster: ${uncovered} of ${SLOTS} hash slots have no master`);
    const masters = new Map(this.client.nodes('master').map((node) => [nodeKey(node), node]));
    const problems = await Promise.all([...owners].sort().map((key) => this.masterProblem(key, masters.get(key))));
    const failed = problems.filter((p) => p !== undefined);
    return failed.length === 0 ? healthPass() : healthFail(`Redis Cluster: ${failed.join('; ')}`);
  }

  private async masterProblem(key: string, node: Redis | undefined): Promise<string | undefined> {
    if (node === undefined) return `master ${key} is not connected`;
    // "wait": connected lazily, by the command below.
    if (node.status !== 'ready' && node.status !== 'wait') {
      const reason = this.outage.reason(key);
      return `master ${key} is ${node.status}${reason === undefined ? '' : `: ${reason}`}`;
    }
    try {
      const state = /cluster_state:(\w+)/.exec(String(await node.cluster('INFO')))?.[1];
      return state === 'ok' ? undefined : `master ${key} reports cluster_state:${state ?? 'unknown'}`;
    } catch (err) {
      return `master ${key}: ${errorMessage(err)}`;
    }
  }

  async close(): Promise<void> {
    try {
      await this.client.quit();
    } catch {
      this.client.disconnect();
    }
  }
}
