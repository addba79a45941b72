/** The path and query of a request, as routed and forwarded. */
export interface RequestTarget {
  /** Starts with "/"; dot segments resolved. */
  readonly path: string;
  /** The raw query without "?", "" when there is none. */
  readonly query: string;
  /**
   * Set when the path must be refused (400): a server behind the gateway could read it as
   * another path than the one routed (an encoded slash, a backslash, `..;`). Says which.
   */
  readonly ambiguity?: string;
}

const DOT_SEGMENT_HINT = /\/\.|%2e/i;
const DOTS_ONLY = /^(?:\.|%2e)+$/i;
const UNRESERVED = /[A-Za-z0-9\-._~]/;
/** A raw backslash, "#" or control character: servers differ on whether they end or separate segments. */
const RAW_AMBIGUOUS = /[\\#\x00-\x1f\x7f]/;
/** `..;x` or `.;x`: a dot segment for servers that drop path parameters (Tomcat, Spring). */
const DOT_WITH_PARAMS = /(?:^|\/)\.{1,2};/;

/**
 * RFC 3986 6.2.2.2 normalisation: percent-encoded unreserved characters are decoded (`%61` is
 * `a`, `%2e` is `.`), so the router and every upstream see one spelling. Encodings that decode to
 * a separator or a control character, `%25` followed by hex (double encoding, read as `%xx` by
 * servers that decode twice), and malformed `%` escapes are ambiguity, not data.
 */
function decodeUnreserved(path: string): { path: string; ambiguity?: string } {
  let out = '';
  let last = 0;
  for (let i = path.indexOf('%'); i !== -1; i = path.indexOf('%', last)) {
    const hex = path.slice(i + 1, i + 3);
    if (!/^[0-9a-fA-F]{2}$/.test(hex)) return { path, ambiguity: 'malformed percent-encoding' };
    const code = parseInt(hex, 16);
    if (code === 0x2f || code === 0x5c) return { path, ambiguity: 'encoded slash or backslash' };
    if (code < 0x20 || code === 0x7f) return { path, ambiguity: 'encoded control character' };
    if (code === 0x25 && /^[0-9a-fA-F]{2}/.test(path.slice(i + 3, i + 5))) return { path, ambiguity: 'double percent-encoding' };
    const char = String.fromCharCode(code);
    out += path.slice(last, i) + (UNRESERVED.test(char) ? char : path.slice(i, i + 3));
    last = i + 3;
  }
  return { path: out + path.slice(last) };
}

/**
 * Splits a request line's target into path and query. Origin form (`/a?b`) and absolute form
 * (`http://host/a?b`) are accepted; anything else (`*`, `host:port`) is not a request for an API.
 *
 * `.` and `..` segments, also percent-encoded (`%2e%2e`), are resolved here, before routing, so a
 * request cannot name one API's listen path and reach another's (`/open/../admin`). The resolved
 * path is also what goes upstream, so the upstream serves exactly what was routed.
 */
export function parseRequestTarget(url: string): RequestTarget | undefined {
  let start = 0;
  if (url.charCodeAt(0) !== 47 /* / */) {
    const scheme = /^https?:\/\/[^/?#]*/i.exec(url);
    if (scheme === null) return undefined;
    start = scheme[0].length;
  }
  const q = url.indexOf('?', start);
  let path = q === -1 ? url.slice(start) : url.slice(start, q);
  const query = q === -1 ? '' : url.slice(q + 1);
  if (path === '') path = '/';
  if (RAW_AMBIGUOUS.test(path)) return { path, query, ambiguity: 'backslash, "#" or control character' };
  if (path.includes('%')) {
    const decoded = decodeUnreserved(path);
    if (decoded.ambiguity !== undefined) return { path, query, ambiguity: decoded.ambiguity };
    path = decoded.path;
  }
  // Empty segments are merged (nginx's merge_slashes): "//admin" is "/admin" to most servers.
  if (path.includes('//')) path = path.replace(/\/{2,}/g, '/');
  if (DOT_WITH_PARAMS.test(path)) return { path, query, ambiguity: 'dot segment with parameters' };
  if (DOT_SEGMENT_HINT.test(path)) path = removeDotSegments(path);
  return { path, query };
}

/** RFC 3986 section 5.2.4 on an absolute path, treating %2e as "." . */
export function removeDotSegments(path: string): string {
  const input = path.split('/');
  const output: string[] = [];
  let trailingSlash = false;
  for (let i = 1; i < input.length; i++) {
    const segment = input[i] as string;
    const last = i === input.length - 1;
    const dots = DOTS_ONLY.test(segment) ? segment.replace(/%2e/gi, '.') : '';
    if (dots === '.') {
      trailingSlash = last;
    } else if (dots === '..') {
      output.pop();
      trailingSlash = last;
    } else {
      output.push(segment);
      trailingSlash = false;
    }
  }
  return `/${output.join('/')}${trailingSlash && output.length > 0 ? '/' : ''}`;
}
