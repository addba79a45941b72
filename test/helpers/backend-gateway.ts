import { startGatewayProcess, type GatewayOptions, type GatewayProcess } from './gateway-process.js';
import { backendStorage, type Backend } from './redis.js';
import { startUpstream, type TestUpstream } from './upstream.js';

export interface BackendGateway {
  readonly gw: GatewayProcess;
  readonly up: TestUpstream;
  /** Skips the test (returns true) when the backend is not available here. */
  readonly skip: (t: { skip: (message: string) => void }) => boolean;
  stop(): Promise<void>;
}

/**
 * An echo upstream and a gateway whose `storage` is the backend's (memory, or a redis-server of
 * its own). Without redis-server off CI, `gw` and `up` are unset and every test skips.
 */
export async function startBackendGateway(backend: Backend, options: (up: TestUpstream) => GatewayOptions): Promise<BackendGateway> {
  const backing = await backendStorage(backend);
  if (backing === undefined) {
    return {
      gw: undefined as unknown as GatewayProcess,
      up: undefined as unknown as TestUpstream,
      skip: (t) => (t.skip('redis-server is not installed'), true),
      stop: async () => undefined,
    };
  }
  const up = await startUpstream();
  const given = options(up);
  const gw = await startGatewayProcess({ ...given, config: { ...given.config, storage: backing.storage } });
  return {
    gw,
    up,
    skip: () => false,
    async stop() {
      await gw.stop();
      await up.close();
      await backing.redis?.stop();
    },
  };
}
