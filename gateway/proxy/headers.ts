/** Headers that describe one connection, not the message; never forwarded (RFC 9110 7.6.1). */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-connection',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  // The gateway answers Expect itself; the upstream gets a plain request.
  'expect',
]);

/** Header names listed in Connection headers: hop-by-hop for this message only. */
function connectionTokens(values: readonly string[]): Set<string> | undefined {
  let tokens: Set<string> | undefined;
  for (const value of values) {
    for (const token of value.split(',')) {
      const name = token.trim().toLowerCase();
      if (name !== '' && name !== 'close' && name !== 'keep-alive') (tokens ??= new Set()).add(name);
    }
  }
  return tokens;
}

function connectionValues(raw: readonly (string | Buffer)[]): string[] {
  const values: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string | Buffer;
    if (name.length === 10 && name.toString('latin1').toLowerCase() === 'connection') values.push((raw[i + 1] as string | Buffer).toString('latin1'));
  }
  return values;
}

export interface ForwardingFacts {
  readonly clientIp: string;
  /** "http" or "https": how the client reached the gateway. */
  readonly proto: string;
  readonly preserveHost: boolean;
  readonly trustForwardedHeaders: boolean;
  /**
   * Set when the gateway holds the body itself (a hook read or replaced it): the client's framing
   * headers are replaced by `Content-Length` of this many bytes.
   */
  readonly bufferedBodyLength?: number | undefined;
}

export interface UpstreamRequestHead {
  /** Flat [name, value, name, value, ...] list, names in the client's case. */
  readonly headers: string[];
  readonly hasBody: boolean;
  /** Set when the request must be refused: a request may carry one Host (RFC 9112 3.2). */
  readonly invalid?: string;
}

/**
 * The headers sent upstream, built in one pass over the client's raw headers: hop-by-hop ones
 * dropped, `X-Forwarded-For` extended by the client address, `X-Forwarded-Proto`/`-Host` set
 * from the accepted connection (kept from the client only when it is trusted). Without
 * `preserve_host_header`, Host is left out so the upstream gets its own host name.
 */
export function upstreamRequestHead(raw: readonly string[], facts: ForwardingFacts): UpstreamRequestHead {
  const listed = connectionTokens(connectionValues(raw));
  const headers: string[] = [];
  let host: string | undefined;
  let hosts = 0;
  let forwardedFor: string | undefined;
  let forwardedProto = false;
  let forwardedHost = false;
  let hasBody = false;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i] as string;
    const value = raw[i + 1] as string;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower)) {
      if (lower === 'transfer-encoding') hasBody = true;
      continue;
    }
    switch (lower) {
      case 'host':
        hosts++;
        host = value;
        if (!facts.preserveHost) continue;
        break;
      case 'content-length':
        if (value !== '0') hasBody = true;
        if (facts.bufferedBodyLength !== undefined) continue;
        break;
      case 'x-forwarded-for':
        forwardedFor = forwardedFor === undefined ? value : `${forwardedFor}, ${value}`;
        continue;
      case 'x-forwarded-proto':
        if (!facts.trustForwardedHeaders) continue;
        forwardedProto = true;
        break;
      case 'x-forwarded-host':
        if (!facts.trustForwardedHeaders) continue;
        forwardedHost = true;
        break;
      default:
        if (listed?.has(lower)) continue;
    }
    headers.push(name, value);
  }
  if (facts.bufferedBodyLength !== undefined) {
    // A body that was there (even if a hook emptied it) keeps an explicit length.
    if (facts.bufferedBodyLength > 0 || hasBody) headers.push('Content-Length', String(facts.bufferedBodyLength));
    hasBody = facts.bufferedBodyLength > 0;
  }
  headers.push('X-Forwarded-For', forwardedFor === undefined || forwardedFor === '' ? facts.clientIp : `${forwardedFor}, ${facts.clientIp}`);
  if (!forwardedProto) headers.push('X-Forwarded-Proto', facts.proto);
  if (!forwardedHost && host !== undefined) headers.push('X-Forwarded-Host', host);
  if (hosts > 1) return { headers, hasBody, invalid: 'more than one Host header' };
  return { headers, hasBody };
}

/** The upstream's raw response headers without hop-by-hop ones, as a flat list for `writeHead`. */
export function downstreamResponseHeaders(raw: readonly Buffer[] | readonly string[]): string[] {
  const listed = connectionTokens(connectionValues(raw));
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = (raw[i] as Buffer | string).toString('latin1');
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || listed?.has(lower)) continue;
    out.push(name, (raw[i + 1] as Buffer | string).toString('latin1'));
  }
  return out;
}

/** The client address without the IPv4-mapped IPv6 prefix. */
export function clientAddressOf(remoteAddress: string | undefined): string {
  if (remoteAddress === undefined) return '';
  return remoteAddress.startsWith('::ffff:') ? remoteAddress.slice(7) : remoteAddress;
}

/**
 * `res.writeHead` with a flat header list. Node takes a flat list as is only when no header was
 * set on the response before; otherwise it merges with setHeader, which would keep one value of a
 * repeated header (several Set-Cookie). So repeated headers are grouped into arrays then.
 */
export function writeHeadFlat(res: import('node:http').ServerResponse, status: number, reason: string | undefined, flat: readonly string[]): void {
  // HTTP/2 has no reason phrase (node warns when given one).
  const statusText = (res as { stream?: unknown }).stream === undefined ? reason : undefined;
  if (res.getHeaderNames().length === 0) {
    if (statusText === undefined) res.writeHead(status, flat as string[]);
    else res.writeHead(status, statusText, flat as string[]);
    return;
  }
  const grouped: Record<string, string | string[]> = {};
  for (let i = 0; i < flat.length; i += 2) {
    const name = (flat[i] as string).toLowerCase();
    const value = flat[i + 1] as string;
    const prior = grouped[name];
    grouped[name] = prior === undefined ? value : Array.isArray(prior) ? [...prior, value] : [prior, value];
  }
  if (statusText === undefined) res.writeHead(status, grouped);
  else res.writeHead(status, statusText, grouped);
}
