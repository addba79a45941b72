/**
 * Which entry of Tyk's per-host maps applies to an upstream host (gateway/cert.go). Later maps
 * (the API's) override earlier ones (the gateway's), and within a map a more specific key wins.
 */

const withoutPort = (host: string): string => {
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']'));
  const colon = host.lastIndexOf(':');
  return colon > 0 && host.indexOf(':') === colon ? host.slice(0, colon) : host;
};

const wildcardOf = (host: string): string | undefined => {
  const dot = host.indexOf('.');
  return dot === -1 ? undefined : `*${host.slice(dot)}`;
};

/**
 * Upstream client certificates (`getCertificateIDForHost`): keys `*`, `*.<rest>`, `*.<rest:port>`,
 * `<host>`, `<host:port>`, each later hit overriding. `host` is the target's host[:port].
 */
export function certificateKeysFor(host: string): string[] {
  const bare = withoutPort(host);
  const keys = ['*'];
  const wildcard = wildcardOf(bare);
  if (wildcard !== undefined) {
    keys.push(wildcard);
    const withPort = wildcardOf(host);
    if (withPort !== undefined) keys.push(withPort);
  }
  keys.push(bare, host);
  return keys;
}

/** Pinned public keys (`getPinnedPublicKeys`): `*`, `*.<rest>`, then the host without its port. */
export function pinKeysFor(host: string): string[] {
  const bare = withoutPort(host);
  const wildcard = wildcardOf(bare);
  return wildcard === undefined ? ['*', bare] : ['*', wildcard, bare];
}

/** The value of the last key in `keys` that any of `maps` has, later maps winning. */
export function lookupHost<T>(maps: readonly (Readonly<Record<string, T>> | undefined)[], keys: readonly string[]): { key: string; value: T } | undefined {
  let found: { key: string; value: T } | undefined;
  for (const map of maps) {
    if (map === undefined) continue;
    for (const key of keys) {
      if (Object.hasOwn(map, key)) found = { key, value: map[key] as T };
    }
  }
  return found;
}

export { withoutPort as hostWithoutPort };
