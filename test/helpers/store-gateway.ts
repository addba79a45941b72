import { after, before } from 'node:test';
import { SECRET } from './control.js';
import { startGatewayProcess, type GatewayOptions, type GatewayProcess } from './gateway-process.js';
import { hasProgram } from './programs.js';
import { startRedis, type RedisServer } from './redis.js';
import { startUpstream, type TestUpstream } from './upstream.js';

export type StoreBackend = 'memory' | 'redis';
export const STORE_BACKENDS: readonly StoreBackend[] = ['memory', 'redis'];

export interface StoreGateway {
  readonly gw: GatewayProcess;
  readonly up: TestUpstream;
  /** The redis-server's port; undefined on the memory store. */
  readonly redisPort: number | undefined;
  /** Skips the test (and returns true) when the Redis run could not start: no redis-server off CI. */
  skip(t: { skip: (message: string) => void }): boolean;
}

/**
 * For a describe block that runs once per session store: starts an upstream and a gateway (with
 * the control secret and `backend` as its storage) before the tests, stops them after. The API
 * definitions get the upstream's origin.
 */
export function gatewayOnStore(backend: StoreBackend, apis: (upstreamOrigin: string) => Record<string, unknown>): StoreGateway {
  return gatewayOnStoreWith(backend, (origin) => ({ config: { secret: SECRET }, apis: apis(origin) }));
}

/**
 * The same with the whole gateway options in hand (config merged over the storage). Off CI a
 * missing redis-server skips the Redis run; on CI it fails, so a broken install step cannot pass.
 */
export function gatewayOnStoreWith(backend: StoreBackend, options: (upstreamOrigin: string) => GatewayOptions): StoreGateway {
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
      if (gw === undefined) throw new Error('the gateway did not start (skipped?)');
      return gw;
    },
    get up() {
      if (up === undefined) throw new Error('the upstream did not start (skipped?)');
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
