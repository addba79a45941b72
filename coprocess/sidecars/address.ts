import { lstat, unlink } from 'node:fs/promises';
import { connect, type NetConnectOpts } from 'node:net';
import { resolve } from 'node:path';
import type { Logger } from '../../gateway/logging/index.js';

/** How long a pre-launch connection attempt may take; local sockets answer in microseconds. */
const CONNECT_CHECK_MS = 500;

/**
 * One spelling per address, so lookups by address match whatever form the caller holds:
 * `tcp://host:port` becomes `host:port`, `unix:/abs` becomes `unix:///abs`.
 */
export function normalizeAddress(address: string): string {
  if (address.startsWith('tcp://')) return address.slice('tcp://'.length);
  const path = unixSocketPath(address);
  if (path !== undefined && path.startsWith('/')) return `unix://${path}`;
  return address;
}

/** The socket path of a `unix:` target (`unix:///abs` or `unix:relative`), undefined otherwise. */
export function unixSocketPath(address: string): string | undefined {
  if (address.startsWith('unix://')) return address.slice('unix://'.length);
  if (address.startsWith('unix:')) return address.slice('unix:'.length);
  return undefined;
}

/** `host:port` or `[v6]:port` as connect options; undefined for targets this cannot read. */
function tcpOptions(address: string): NetConnectOpts | undefined {
  const match = /^\[([^\]]+)\]:(\d+)$/.exec(address) ?? /^([^:/]+):(\d+)$/.exec(address);
  if (match === null) return undefined;
  return { host: match[1] ?? '', port: Number(match[2]) };
}

/** Whether something accepts a connection there now. */
function accepts(options: NetConnectOpts): Promise<boolean> {
  return new Promise((settle) => {
    const socket = connect(options);
    const done = (answer: boolean) => {
      socket.destroy();
      settle(answer);
    };
    socket.setTimeout(CONNECT_CHECK_MS, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/**
 * Runs before each launch, relative paths against the sidecar's working folder.
 *
 * A unix socket file left by a sidecar that died without removing it (kill -9, a crash) makes
 * the next bind fail with EADDRINUSE in grpc-js and Go servers alike, so a socket file that
 * nobody answers on is removed. Anything that does answer is another process: the readiness
 * probe would take it for the sidecar, so that is warned about and left alone.
 */
export async function prepareAddress(address: string, cwd: string, log: Logger): Promise<void> {
  const socketPath = unixSocketPath(address);
  if (socketPath === undefined) {
    const tcp = tcpOptions(address);
    if (tcp !== undefined && (await accepts(tcp))) warnInUse(address, log);
    return;
  }
  const path = resolve(cwd, socketPath);
  const stats = await lstat(path).catch(() => undefined);
  if (stats === undefined || !stats.isSocket()) return;
  if (await accepts({ path })) {
    warnInUse(address, log);
    return;
  }
  try {
    await unlink(path);
    log.debug({ path }, 'removed a stale unix socket left by an earlier run');
  } catch (err) {
    log.warn({ path, err }, 'could not remove a stale unix socket; the sidecar may fail to bind');
  }
}

function warnInUse(address: string, log: Logger): void {
  log.warn(
    { address },
    `another process already accepts connections on ${address}; the readiness probe cannot tell it from the sidecar (an orphan of an earlier run?)`,
  );
}
