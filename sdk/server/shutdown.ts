import type { Server } from '@grpc/grpc-js';
import type { Logger } from 'pino';
import type { PluginServer } from './serve.js';

/**
 * Drains the server: no new calls, calls in flight finish. After `graceMs` what is left is cut
 * (the gateway sees those calls fail and fails closed). Resolves with whether it had to cut.
 */
export function shutdownServer(server: Server, graceMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    let forced = false;
    const timer = setTimeout(() => {
      forced = true;
      server.forceShutdown();
    }, graceMs);
    server.tryShutdown(() => {
      clearTimeout(timer);
      resolve(forced);
    });
  });
}

/**
 * SIGTERM/SIGINT: close gracefully, then exit 0 (the supervisor asked for it; an unclean exit
 * would read as a crash and be restarted). A second signal cuts what is left at once. Returns a
 * function that removes the handlers.
 */
export function handleSignals(server: PluginServer, log: Logger): () => void {
  let received = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    received++;
    if (received > 1) {
      log.warn({ signal }, 'second signal: stopping at once');
      process.exit(0);
    }
    log.info({ signal }, 'signal received: stopping the plugin server');
    void server.close().then(() => process.exit(0));
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
  return () => {
    // Removed only once closing is done with them: a second signal must still cut the wait short.
    void server.closed.then(() => {
      process.off('SIGTERM', onSignal);
      process.off('SIGINT', onSignal);
    });
  };
}
