/** The path and query of a request, as routed and forwarded. */
export interface RequestTarget {
  /** Starts with "/"; dot segments resolved. */
  readonly path: string;
  /** The raw query without "?", "" when there is none. */
  readonly query: string;
}

const DOT_SEGMENT_HINT = /\/\.|%2e/i;
const DOTS_ONLY = /^(?:\.|%2e)+$/i;

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
