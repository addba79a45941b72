/**
 * Where a plugin server listens. The same strings as Tyk's `coprocess_grpc_server` and Hookgate's
 * sidecar `address` are accepted, so one value can be copied between the two: `host:port`,
 * `tcp://host:port`, `unix:///absolute/path` (also `unix:/path` and `unix:relative`).
 */
import { lstat, unlink } from 'node:fs/promises';
import { connect } from 'node:net';
import { SdkError } from '../errors.js';

export type ListenAddress =
  | { readonly kind: 'tcp'; readonly host: string; readonly port: number; readonly target: string }
  | { readonly kind: 'unix'; readonly path: string; readonly target: string };

/** The address `serve()` uses unless given one: `HOOKGATE_PLUGIN_ADDRESS`, else `127.0.0.1:5555`. */
export function defaultAddress(): string {
  return process.env['HOOKGATE_PLUGIN_ADDRESS'] ?? '127.0.0.1:5555';
}

export function parseAddress(address: string): ListenAddress {
  const bad = (why: string) =>
    new SdkError('HG_ERR_SDK_SERVE_FAILED', `invalid address ${JSON.stringify(address)}: ${why}; expected host:port, tcp://host:port or unix:///path`);
  if (typeof address !== 'string' || address === '') throw bad('it is empty');
  if (address.startsWith('unix:')) {
    const path = address.startsWith('unix://') ? address.slice('unix://'.length) : address.slice('unix:'.length);
    if (path === '') throw bad('no socket path');
    return { kind: 'unix', path, target: `unix:${path}` };
  }
  const rest = address.startsWith('tcp://') ? address.slice('tcp://'.length) : address;
  const match = /^(\[[^\]]+\]|[^:/\s]+):(\d{1,5})$/.exec(rest);
  if (match === null) throw bad('no host and port');
  const port = Number(match[2]);
  if (port > 65535) throw bad(`port ${port} is above 65535`);
  const host = match[1] as string;
  return { kind: 'tcp', host, port, target: `${host}:${port}` };
}

/** How the bound address is reported: the real port for port 0, `unix://` form for sockets. */
export function boundAddress(address: ListenAddress, port: number): string {
  return address.kind === 'tcp' ? `${address.host}:${port}` : `unix://${address.path}`;
}

/**
 * Removes a socket file left by a process that died without cleaning up, so a restarted sidecar
 * can bind again. A socket something still answers on is left alone (the bind then fails clearly).
 */
export async function removeStaleSocket(path: string): Promise<void> {
  const stat = await lstat(path).catch(() => undefined);
  if (stat === undefined || !stat.isSocket()) return;
  const alive = await new Promise<boolean>((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
  if (!alive) await unlink(path).catch(() => undefined);
}
