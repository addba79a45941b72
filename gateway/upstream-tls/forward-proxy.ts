import { isIP } from 'node:net';
import { hostWithoutPort } from './host-maps.js';

/** A forward proxy upstream requests go through (Tyk: `proxy.transport.proxy_url`, `upstream.proxy.url`). */
export interface ForwardProxy {
  readonly protocol: 'http:' | 'https:';
  readonly hostname: string;
  readonly port: number;
  /** The `Proxy-Authorization` value when the URL has credentials. */
  readonly authorization: string | undefined;
  /** The URL without credentials, for logs. */
  readonly display: string;
}

/** Parses a proxy URL; a string is the problem. Go assumes http:// when the scheme is missing. */
export function parseForwardProxy(value: string): ForwardProxy | string {
  let url: URL;
  try {
    url = new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? value : `http://${value}`);
  } catch {
    return 'is not a URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `uses ${url.protocol.replace(/:$/, '')}://, but Hookgate forwards only through http:// and https:// proxies`;
  }
  if (url.hostname === '') return 'has no host';
  const authorization = url.username === '' && url.password === ''
    ? undefined
    : `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
  const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
  return { protocol: url.protocol, hostname: url.hostname.replace(/^\[|\]$/g, ''), port, authorization, display: `${url.protocol}//${url.host}` };
}

/** `HTTP_PROXY`, `HTTPS_PROXY` and `NO_PROXY` as Go reads them (upper case first). */
export interface EnvProxy {
  readonly http: string;
  readonly https: string;
  readonly noProxy: string;
}

export function envProxyOf(env: NodeJS.ProcessEnv): EnvProxy {
  const read = (name: string) => env[name.toUpperCase()] ?? env[name.toLowerCase()] ?? '';
  return { http: read('http_proxy'), https: read('https_proxy'), noProxy: read('no_proxy') };
}

/**
 * The environment's proxy URL for an upstream, as Go's `http.ProxyFromEnvironment`: none for
 * localhost and loopback addresses, none when `NO_PROXY` matches (`*`, an IP, a CIDR, or a domain
 * and its subdomains, optionally with a port).
 */
export function envProxyFor(env: EnvProxy, secure: boolean, host: string): string | undefined {
  const value = secure ? env.https : env.http;
  if (value === '') return undefined;
  const bare = hostWithoutPort(host).toLowerCase();
  if (bare === 'localhost' || isLoopback(bare)) return undefined;
  const port = host.startsWith('[') ? host.slice(host.indexOf(']') + 2) : host.includes(':') && isIP(host) === 0 ? host.slice(host.lastIndexOf(':') + 1) : '';
  for (const raw of env.noProxy.split(',')) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return undefined;
    if (entry.includes('/') && isIP(bare) !== 0 && inCidr(bare, entry)) return undefined;
    const [name, entryPort] = splitEntry(entry);
    if (entryPort !== '' && entryPort !== port) continue;
    if (isIP(name) !== 0) {
      if (name === bare) return undefined;
      continue;
    }
    const domain = name.replace(/^\*?\./, '');
    if (bare === domain || bare.endsWith(`.${domain}`)) return undefined;
  }
  return value;
}

function splitEntry(entry: string): [string, string] {
  if (entry.startsWith('[')) {
    const end = entry.indexOf(']');
    return [entry.slice(1, end), entry.slice(end + 2)];
  }
  const colon = entry.lastIndexOf(':');
  if (colon > 0 && entry.indexOf(':') === colon) return [entry.slice(0, colon), entry.slice(colon + 1)];
  return [entry, ''];
}

function isLoopback(host: string): boolean {
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

function inCidr(ip: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split('/') as [string, string];
  const bits = Number(bitsText);
  if (isIP(base) !== 4 || isIP(ip) !== 4 || !Number.isInteger(bits)) return false;
  const toInt = (a: string) => a.split('.').reduce((n, part) => (n << 8) + Number(part), 0) >>> 0;
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (toInt(ip) & mask) === (toInt(base) & mask);
}
