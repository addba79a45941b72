/**
 * A plugin server address as Tyk accepts it, turned into a grpc-js target: `tcp://host:port`
 * loses its scheme (Tyk strips it); `host:port`, `unix:///path`, `unix:path` and
 * `dns:///name:port` pass as they are.
 */
export function normaliseTarget(address: string): string {
  const trimmed = address.trim();
  return trimmed.startsWith('tcp://') ? trimmed.slice('tcp://'.length) : trimmed;
}

/** Why an address cannot be a gRPC target, or undefined when it can. */
export function targetProblem(address: string): string | undefined {
  const target = normaliseTarget(address);
  if (target === '') return 'it is empty';
  if (/^unix:/.test(target)) return target.replace(/^unix:(\/\/)?/, '') === '' ? 'the unix socket path is empty' : undefined;
  if (/^dns:/.test(target)) return /:\d{1,5}$/.test(target) ? undefined : 'a dns:/// target needs a port (dns:///name:port)';
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(target)) return `the scheme ${target.split(':')[0]}:// is not supported (use tcp://, unix:// or dns:///)`;
  return /^(\[[0-9a-fA-F:.]+\]|[^:/\s]+):\d{1,5}$/.test(target) ? undefined : 'expected host:port, tcp://host:port, unix:///path or dns:///name:port';
}
