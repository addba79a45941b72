import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HookgateError } from './errors/index.js';

/** Listens, or rejects with HG_ERR_LISTEN_FAILED saying where and why. */
export function listen(server: Server, address: string, port: number): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      const where = `${address === '' ? '*' : address}:${port}`;
      const reason = err.code === 'EADDRINUSE' ? 'the port is already in use' : err.code === 'EACCES' ? 'permission denied' : err.message;
      reject(new HookgateError('HG_ERR_LISTEN_FAILED', `cannot listen on ${where}: ${reason}`, { cause: err }));
    };
    server.once('error', onError);
    server.listen({ port, ...(address === '' ? {} : { host: address }) }, () => {
      server.removeListener('error', onError);
      resolve(server.address() as AddressInfo);
    });
  });
}

/** Stops accepting and resolves once every connection is closed; idle keep-alive ones go at once. */
export function closeServer(server: Server): Promise<void> {
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  // An HTTP/2 server has no idle-connection call: close() lets its sessions end after their streams.
  if (typeof server.closeIdleConnections === 'function') server.closeIdleConnections();
  return closed;
}
