import { after, before } from 'node:test';
import { startGatewayProcess, type GatewayOptions, type GatewayProcess } from './gateway-process.js';
import { hasProgram } from './programs.js';
import { startRedis, type RedisServer } from './redis.js';
import { startUpstream, type TestUpstream } from './upstream.js';

export type StoreBackend = 'memory' | 'redis';
export const STORE_BACKENDS: readonly StoreBackend[] = ['memory', 'redis'];

export interface BackendGateway {
  readonly gw: GatewayProcess;
  readonly up: TestUpstream;
  /** The redis-server's port; undefined on the memory store. */
  readonly redisPort: number | undefined;
  /** Skips the test (and says so) when this backend cannot run here; call first in each test. */
  skip(t: { skip: (message: string) => void }): boolean;
}

/**
 * Registers before/after hooks (call it inside a describe) that start an upstream and a gateway
 * whose storage is the memory store or a real redis-server of its own. Redis tests are skipped
 * only outside CI, where redis-server may be missing; in CI a missing server fails them.
 */
export function gatewayOnBackend(backend: StoreBackend, options: (upstreamOrigin: string) => GatewayOptions): BackendGateway {
  let redis: RedisServer | undefined;
  let up: TestUpstream | undefined;
  let gw: GatewayProcess | undefined;
  before(async () => {
    if (backend === 'redis') {
      if (!hasProgram('redis-server') && process.env['CI'] !== 'true') return;
      redis = await startRedis();
    }
    up = await startUpstream();
    const { config, ...rest } = options(up.origin);
    const storage = redis === undefined ? { type: 'memory' } : { type: 'redis', host: '127.0.0.1', port: redis.port };
    gw = await startGatewayProcess({ ...rest, config: { storage, ...config } });
  });
  after(async () => {
    await gw?.stop();
    await up?.close();
    await redis?.stop();
  });
  return {
    get gw() {
      if (gw === undefined) throw new Error('the gateway is not running (skipped?)');
      return gw;
    },
    get up() {
      if (up === undefined) throw new Error('the upstream is not running (skipped?)');
      return up;
    },
    get redisPort() {
      return redis?.port;
    },
    skip(t) {
      if (gw !== undefined) return false;
      t.skip('redis-server is not installed');
      return true;
    },
  };
}
