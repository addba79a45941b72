/**
 * Go's net/http and net/url behaviour that Tyk plugins observe, re-implemented from the
 * documented algorithms: header key canonicalisation, query parsing and encoding, and which URLs
 * `url.ParseRequestURI` accepts.
 */

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const canonicalCache = new Map<string, string>();

/** textproto.CanonicalMIMEHeaderKey: "content-type" → "Content-Type"; invalid names unchanged. */
export function canonicalHeaderKey(name: string): string {
  const cached = canonicalCache.get(name);
  if (cached !== undefined) return cached;
  let out = name;
  if (TOKEN.test(name)) {
    out = '';
    let upper = true;
    for (const c of name) {
      out += upper ? c.toUpperCase() : c.toLowerCase();
      upper = c === '-';
    }
  }
  if (canonicalCache.size < 10_000) canonicalCache.set(name, out);
  return out;
}

/** url.QueryUnescape: "+" is a space, %XX must be valid; undefined when it is not. */
export function queryUnescape(text: string): string | undefined {
  if (!text.includes('%') && !text.includes('+')) return text;
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x25 /* % */) {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) return undefined;
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (c === 0x2b /* + */) {
      bytes.push(0x20);
    } else {
      for (const b of Buffer.from(text[i] as string, 'utf8')) bytes.push(b);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** url.ParseQuery as `r.URL.Query()` uses it: bad pairs (";" or bad escapes) are dropped. */
export function parseQuery(raw: string): Map<string, string[]> {
  const values = new Map<string, string[]>();
  for (const piece of raw.split('&')) {
    if (piece === '' || piece.includes(';')) continue;
    const eq = piece.indexOf('=');
    const key = queryUnescape(eq === -1 ? piece : piece.slice(0, eq));
    const value = queryUnescape(eq === -1 ? '' : piece.slice(eq + 1));
    if (key === undefined || value === undefined) continue;
    const list = values.get(key);
    if (list === undefined) values.set(key, [value]);
    else list.push(value);
  }
  return values;
}

/** url.QueryEscape: unreserved characters stay, space becomes "+", the rest %XX. */
export function queryEscape(text: string): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_.~]/.test(c)) out += c;
    else if (byte === 0x20) out += '+';
    else out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** url.Values.Encode: keys sorted, each value escaped. */
export function encodeQuery(values: ReadonlyMap<string, readonly string[]>): string {
  const parts: string[] = [];
  for (const key of [...values.keys()].sort()) {
    for (const value of values.get(key) ?? []) parts.push(`${queryEscape(key)}=${queryEscape(value)}`);
  }
  return parts.join('&');
}

/**
 * Splits a URL the way url.ParseRequestURI accepts it: an absolute path (or an absolute URL,
 * whose path is used) without control characters or malformed escapes. Undefined when Go would
 * refuse it.
 */
export function parseRequestUri(url: string): { path: string; query: string } | undefined {
  if (url === '' || /[\x00-\x1f\x7f]/.test(url)) return undefined;
  let rest = url;
  if (!rest.startsWith('/')) {
    const absolute = /^[a-zA-Z][a-zA-Z0-9+.-]*:\/\/[^/?#]*/.exec(rest);
    if (absolute === null) return undefined;
    rest = rest.slice(absolute[0].length) || '/';
    if (!rest.startsWith('/') && !rest.startsWith('?')) return undefined;
    if (rest.startsWith('?')) rest = `/${rest}`;
  }
  const hash = rest.indexOf('#');
  if (hash !== -1) rest = rest.slice(0, hash);
  const q = rest.indexOf('?');
  const path = q === -1 ? rest : rest.slice(0, q);
  if (/%(?![0-9a-fA-F]{2})/.test(path)) return undefined;
  return { path, query: q === -1 ? '' : rest.slice(q + 1) };
}
