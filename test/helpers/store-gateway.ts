import { after, before } from 'node:test';
import { SECRET } from './control.js';
import { startGatewayProcess, type GatewayOptions, type GatewayProcess } from './gateway-process.js';
import { backendStorage, type Backend } from './redis.js';
import { startUpstream, type TestUpstream } from './upstream.js';

export type StoreBackend = Backend;
export const STORE_BACKENDS: readonly StoreBackend[] = ['memory', 'redis'];

export interface StoreGateway {
  readonly gw: GatewayProcess;
  readonly up: TestUpstream;
  /** The redis-server's port; undefined on the memory store. */
  readonly redisPort: number | undefined;
  /** Skips the test (and returns true) when the Redis run could not start: no redis-server off CI. */
  skip(t: { skip: (message: string) => void }): boolean;
  stop(): Promise<void>;
}

/**
 * An echo upstream and a gateway whose `storage` is the backend's (memory, or a redis-server of
 * its own), config merged over it. Off CI a missing redis-server gives a fixture whose tests all
 * skip; on CI it fails, so a broken install step cannot pass.
 */
export async function startStoreGateway(backend: StoreBackend, options: (up: TestUpstream) => GatewayOptions): Promise<StoreGateway> {
  const backing = await backendStorage(backend);
  if (backing === undefined) {
    const missing = (): never => {
      throw new Error('redis-server is not installed (the test should have skipped)');
    };
    return {
      get gw() {
        return missing();
      },
      get up() {
        return missing();
      },
      redisPort: undefined,
      skip: (t) => (t.skip('redis-server is not installed'), true),
      stop: async () => undefined,
    };
  }
  const up = await startUpstream();
  const given = options(up);
  const gw = await startGatewayProcess({ ...given, config: { storage: backing.storage, ...given.config } });
  return {
    gw,
    up,
    redisPort: backing.redis?.port,
    skip: () => false,
    async stop() {
      await gw.stop();
      await up.close();
      await backing.redis?.stop();
    },
  };
}

/** For a describe block: the same fixture, started before its tests and stopped after. */
export function gatewayOnStoreWith(backend: StoreBackend, options: (upstreamOrigin: string) => GatewayOptions): StoreGateway {
  let fixture: StoreGateway | undefined;
  before(async () => {
    fixture = await startStoreGateway(backend, (up) => options(up.origin));
  });
  after(() => fixture?.stop());
  const started = (): StoreGateway => {
    if (fixture === undefined) throw new Error('the gateway did not start');
    return fixture;
  };
  return {
    get gw() {
      return started().gw;
    },
    get up() {
      return started().up;
    },
    get redisPort() {
      return started().redisPort;
    },
    skip: (t) => started().skip(t),
    stop: async () => fixture?.stop(),
  };
}

/** The common case: the control secret, and API definitions given the upstream's origin. */
export function gatewayOnStore(backend: StoreBackend, apis: (upstreamOrigin: string) => Record<string, unknown>): StoreGateway {
  return gatewayOnStoreWith(backend, (origin) => ({ config: { secret: SECRET }, apis: apis(origin) }));
}
