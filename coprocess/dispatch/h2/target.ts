import type { NetConnectOpts } from 'node:net';

/** Where the lean transport connects, and the `:authority` grpc-js would send there. */
export interface H2Target {
  readonly connect: NetConnectOpts;
  readonly authority: string;
}

/**
 * The targets the lean transport serves: `host:port` (names, IPv4, `[IPv6]`) and unix sockets
 * (`unix:///abs/path`, `unix:relative`), as normaliseTarget() leaves them. Anything else
 * (`dns:///` with its resolver and balancing, unknown schemes) is undefined, and stays with grpc-js.
 */
export function h2Target(target: string): H2Target | undefined {
  if (target.startsWith('unix:')) {
    const path = target.startsWith('unix://') ? target.slice('unix://'.length) : target.slice('unix:'.length);
    // grpc-js sends "localhost" as the authority of a unix socket target.
    return path === '' ? undefined : { connect: { path }, authority: 'localhost' };
  }
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:/\s[\]]+)):(\d{1,5})$/.exec(target);
  if (match === null) return undefined;
  const port = Number(match[3]);
  if (port < 1 || port > 65535) return undefined;
  const host = match[1] ?? match[2] ?? '';
  return { connect: { host, port }, authority: target };
}
