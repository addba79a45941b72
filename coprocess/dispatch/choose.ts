import { H2Transport, h2Supports } from './h2/index.js';
import { GrpcJsTransport, type DispatchTransport, type TransportOptions } from './transport.js';

/** Which client carries Dispatch calls (coprocess_options.transport). */
export type TransportKind = 'grpc-js' | 'h2';

/**
 * The transport for one target. The lean transport serves host:port and unix socket targets; a
 * dns:/// target, or round robin over a name's addresses (grpc_round_robin_load_balancing), needs
 * grpc-js's resolver and balancer, so those stay with grpc-js whatever the setting.
 */
export function createTransport(kind: TransportKind, target: string, options: TransportOptions): DispatchTransport {
  if (kind === 'h2' && !options.roundRobin && h2Supports(target)) return new H2Transport(target, options);
  return new GrpcJsTransport(target, options);
}

/** A PluginClients `transportFor` factory for `kind`. */
export const transportFactory =
  (kind: TransportKind) =>
  (target: string, options: TransportOptions): DispatchTransport =>
    createTransport(kind, target, options);
